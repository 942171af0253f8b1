#include "cli.hpp"

#include <hop/deploy/history.hpp>
#include <hop/notes.hpp>
#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/release.hpp>

#include <filesystem>

namespace {

std::string join(const std::vector<std::string>& items)
{
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

} // namespace

int cmd_release(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  options.add_options()("push", "push hop_main, refs/notes/hop and every "
                                "release tag origin lacks");
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
  std::string id = r.commit.substr(0, 7);
  if (!r.swept.empty()) {
    hop::output::info(
        "Repaired what an interrupted git-hop left: " + join(r.swept) + ".");
  }
  if (!r.made && !r.resumed && r.pushed) {
    hop::output::out(r.sent
                         ? "Pushed " +
                               (r.pushed_tags.empty()
                                    ? std::string(hop::deploy::k_main_branch) +
                                          " and " + hop::notes::k_ref
                                    : join(r.pushed_tags)) +
                               " to origin (last release " + r.version.str() +
                               ", " + id + ")"
                         : "Nothing to push: origin has every release (last "
                           "release " +
                               r.version.str() + ", " + id + ")");
    return 0;
  }
  std::string pushed = r.pushed ? "; pushed to origin" : "";
  if (!r.made && !r.resumed) {
    hop::output::out("Release " + r.version.str() + " (" + id +
                     ") was complete; nothing else to do");
    return 0;
  }
  hop::output::out(
      (r.made ? "Released " : "Completed the interrupted release ") +
      r.version.str() + " (" + id +
      "), tests: " + hop::testrun::describe(r.tests) + pushed);
  return 0;
}
