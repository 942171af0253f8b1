#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/testrun.hpp>

#include <filesystem>

int cmd_test(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  cli::parse(args, options, {}, "usage: git hop test");

  auto s = hop::testrun::run_tests(session);
  hop::output::out("tests: " + hop::testrun::describe(s));
  if (hop::testrun::tested_nothing(s)) {
    // Not a pass: say why and what to do.
    throw hop::testrun::failure_of(s, "", "");
  }
  return s.passed ? 0 : 1;
}
