#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/sync_package.hpp>

#include <filesystem>

int cmd_sync_package(const cli::Args& args, hop::Session& session)
{
  const char* usage = "usage: git hop sync-package";
  cli::po::options_description options("Options");
  cli::parse(args, options, {}, usage);

  const hop::Project& project = session.project();
  hop::codegen::Summary s = hop::sync_package(project);
  for (const auto& w : s.warnings) {
    hop::output::warning(w);
  }
  hop::output::out("package '" + project.config.project.name +
                   "': " + std::to_string(s.relations) + " relations, " +
                   std::to_string(s.written) + " files written, " +
                   std::to_string(s.removed) + " removed, " +
                   std::to_string(s.unchanged) + " unchanged");
  return 0;
}
