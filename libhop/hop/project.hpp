// A git-hop project: the directory holding .hop/config, its configuration
// and its connection settings.
#pragma once

#include "config.hpp"
#include "connection.hpp"

#include <filesystem>
#include <optional>

namespace hop {

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

// Load the project around `start`: its config (warnings are printed), the
// version gate, its connection settings. Fatal error with a hint to
// 'git hop new' outside a project.
Project load_project(const std::filesystem::path& start);

} // namespace hop
