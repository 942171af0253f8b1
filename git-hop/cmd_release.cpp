#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/release.hpp>

#include <filesystem>

int cmd_release(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  options.add_options()("push", "push hop_main, the tag and refs/notes/hop to "
                                "origin");
  auto vm = cli::parse(args, options, {}, "usage: git hop release [--push]");

  hop::release::ReleaseOptions o;
  o.push = vm.count("push") != 0;
  auto r = hop::release::release(session, o);
  for (const auto& row : r.locks) {
    hop::output::info("lock: " + row.describe());
  }
  for (const auto& w : r.warnings) {
    hop::output::warning(w);
  }
  hop::output::out("Released " + r.version.str() + " (" +
                   r.commit.substr(0, 7) +
                   "), tests: " + hop::testrun::describe(r.tests) +
                   (r.pushed ? "; pushed to origin" : ""));
  return 0;
}
