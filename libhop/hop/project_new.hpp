// git hop new: a project from an existing (or new) database.
#pragma once

#include "version.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace hop {

class Reporter;

struct NewOptions
{
  std::string package;
  bool devel = false;
  std::optional<std::string> database;
  bool create_database = false;
  // Asked whether to create a missing database; empty when there is no
  // terminal to ask (then a missing database is an error).
  std::function<bool(const std::string& dbname)> confirm_create;
  std::filesystem::path cwd;
};

struct NewResult
{
  std::filesystem::path root;
  std::string database;
  bool created_database = false;
  bool reused_meta = false;
  std::optional<Version> release;
  std::optional<std::filesystem::path> wrote_connection_file;
  std::string commit;
  size_t package_files = 0; // files of the generated half_orm package
  // false when core.hooksPath is set: the hooks were not installed.
  bool hooks_installed = false;
};

// Validate everything, then create the project. Progress and warnings go
// to `reporter` as they happen (also while undoing a failed one). On
// failure nothing is left: no folder, no connection file, the database as
// it was.
NewResult create_project(const NewOptions& options, Reporter& reporter);

} // namespace hop
