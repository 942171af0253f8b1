#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/release.hpp>

#include <filesystem>

int cmd_undo(const cli::Args& args, hop::Session& session)
{
  cli::po::options_description options("Options");
  cli::parse(args, options, {}, "usage: git hop undo");

  auto r = hop::release::undo(session);
  for (const auto& w : r.package.warnings) {
    hop::output::warning(w);
  }
  hop::output::out("The database is back at " + r.version.str() +
                   "; package: " + std::to_string(r.package.written) +
                   " files written, " + std::to_string(r.package.removed) +
                   " removed");
  return 0;
}
