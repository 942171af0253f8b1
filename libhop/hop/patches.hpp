// The script set of a release: Patches/X/Y/Z/release.toml (the changelog
// message) and the scripts, files ending in .sql or .py, run in byte order
// of their names. Read from the work tree, a git tree or the index.
//
// Scripts and release.toml are regular files, as git tracks them: read
// without following links. An entry named like one that is anything else
// (a symbolic link, even to a file; a FIFO, a directory, a submodule) is a
// fatal error naming it, never skipped; so is a release folder (or a parent
// of it) that is not a directory.
#pragma once

#include "text.hpp"
#include "version.hpp"

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hop::git {
class Repository;
}

namespace hop::patches {

enum class Kind { sql, py };

struct Script
{
  std::string name; // "00_schema.sql"
  std::string path; // "Patches/0/1/0/00_schema.sql"
  Text content;     // never copied: a script may be big
  std::string sha256;
  Kind kind = Kind::sql;
  // release.toml: [scripts."<name>"] transaction = false runs a .sql
  // script outside any transaction, one statement at a time.
  bool transaction = true;
};

struct Release
{
  Version version;
  std::string message;
  std::vector<Script> scripts; // in run order
  std::vector<std::string> warnings;
};

using Files = std::vector<std::pair<std::string, Text>>;

// Build the release from the files of its folder (name, content). Fatal
// without a valid release.toml.
Release from_files(const Version& version, Files files);

Release read_worktree(const std::filesystem::path& root,
                      const Version& version);
Release read_tree(const git::Repository& repo, const std::string& refish,
                  const Version& version);
Release read_index(const git::Repository& repo, const Version& version);

// The text of a new release.toml.
std::string render_release_toml(const std::string& message);

} // namespace hop::patches
