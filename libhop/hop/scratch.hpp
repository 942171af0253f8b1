// Helpers for running project code (.py scripts, tests) against a
// database other than the project's: a temporary directory removed on
// scope exit, and the environment that points half_orm and libpq at it.
#pragma once

#include "connection.hpp"
#include "project.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace hop {

// A fresh directory under $TMPDIR, removed with its content on scope exit.
class ScratchDir {
public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
};

// The environment of a child that must work on `settings`'s database: PG*
// variables, a connection file for the package in `conf_dir` (which
// becomes HALFORM_CONF_DIR), and the project root on PYTHONPATH.
std::map<std::string, std::string>
connection_environment(const Project& project,
                       const ConnectionSettings& settings,
                       const std::filesystem::path& conf_dir);

} // namespace hop
