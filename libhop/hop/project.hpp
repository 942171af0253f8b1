// A git-hop project: the directory holding .hop/config, its configuration
// and its connection settings.
#pragma once

#include "config.hpp"
#include "connection.hpp"

#include <filesystem>
#include <optional>

namespace hop {

class Reporter;

struct Project
{
  std::filesystem::path root;
  Config config;
  ConnectionSettings connection;

  std::filesystem::path config_path() const { return root / ".hop/config"; }
};

// The nearest directory at or above `start` that holds .hop/config.
std::optional<std::filesystem::path>
find_project_root(const std::filesystem::path& start);

// The project root as git sees it: when GIT_DIR or GIT_WORK_TREE decide
// the work tree, the nearest .hop/config from `start` up to the top of
// that work tree (from the top when `start` is outside it); else
// find_project_root(start). Fatal for a bare repository (no work tree).
std::optional<std::filesystem::path>
find_project_root_as_git(const std::filesystem::path& start);

// Load the project around `start` (find_project_root_as_git): its config
// (its warnings go to `reporter`), the version gate, its connection
// settings. Fatal error with a hint to 'git hop new' outside a project.
Project load_project(const std::filesystem::path& start, Reporter& reporter);

} // namespace hop
