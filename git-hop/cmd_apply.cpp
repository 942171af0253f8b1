#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/release.hpp>

#include <cstdio>
#include <filesystem>

int cmd_apply(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  cli::parse(args, options, {}, "usage: git hop apply");

  auto r = hop::release::apply(session);
  for (const auto& w : r.package.warnings) {
    hop::output::warning(w);
  }
  double total = 0;
  for (const auto& s : r.scripts) {
    total += s.ms;
  }
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.0f ms", total);
  hop::output::out("Applied " + r.version.str() + " on " + r.base.str() + ": " +
                   std::to_string(r.scripts.size()) + " scripts in " + ms +
                   "; package: " + std::to_string(r.package.written) +
                   " files written, " + std::to_string(r.package.removed) +
                   " removed");
  return 0;
}
