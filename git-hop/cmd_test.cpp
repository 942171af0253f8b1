#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/testrun.hpp>

#include <filesystem>

int cmd_test(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  cli::parse(args, options, {}, "usage: git hop test");

  const hop::Project& project = session.project();
  auto s = hop::testrun::run_tests(project);
  if (s.no_tests) {
    hop::output::warning("no tests ran");
  }
  hop::output::out("tests: " + hop::testrun::describe(s));
  return s.passed ? 0 : 1;
}
