// Helpers for running project code (.py scripts, tests) against a
// database other than the project's: a temporary directory removed on
// scope exit, and the environment that points half_orm and libpq at it.
#pragma once

#include "cleanup.hpp"
#include "connection.hpp"
#include "project.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hop {

// A fresh directory under $TMPDIR ("<prefix>.<owner tag>.XXXXXX"), removed
// with its content on scope exit, or when git-hop is stopped by a signal;
// one left by a SIGKILLed git-hop is removed by the next TempDir.
class TempDir {
public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
  std::optional<cleanup::Registered> m_registered;
};

// The environment of a child that runs the project's code (a .py script,
// the tests) against `settings`'s database; the one place that builds it.
//   - PG* variables for that database;
//   - HALFORM_CONF_DIR = `conf_dir`, where a connection file for the
//     package names it;
//   - PYTHONPATH = git-hop's runtime directory (its sitecustomize), then
//     `code_root` (the project root when empty: the deploy engine passes
//     the export of a tag's tree), then the caller's PYTHONPATH;
//   - GIT_HOP_DATABASE (that database) and GIT_HOP_LOGICAL_DATABASE: the
//     database the project's code is written for, the one of the
//     project's connection file (else the package name). The runtime
//     makes half_orm see the first under the second name, so that names
//     half_orm derives from the database name (the reverse foreign keys)
//     are those of the logical database.
std::map<std::string, std::string>
connection_environment(const Project& project,
                       const ConnectionSettings& settings,
                       const std::filesystem::path& conf_dir,
                       const std::filesystem::path& code_root = {});

// The directory of git-hop's Python runtime (put first on PYTHONPATH by
// connection_environment): fatal error when the installation lacks it.
std::filesystem::path runtime_dir();

} // namespace hop
