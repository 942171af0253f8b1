// The development cycle: prepare, apply, undo, release (design §4-§6).
//
// Releases are sequential: the last release is the highest X.Y.Z tag; a
// release in preparation is a branch hop_X.Y.Z above it (at most one per
// level). apply rebuilds the development database at the last release
// from its committed baseline (through a cached template database), runs
// the release's scripts and regenerates the package; it works on a
// scratch copy and swaps it in only when everything succeeded, so a
// failure leaves the database exactly as it was.
#pragma once

#include "codegen/package.hpp"
#include "project.hpp"
#include "testrun.hpp"
#include "version.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hop::git {
class Repository;
}

namespace hop::patches {
struct Release;
}

namespace hop::release {

struct State
{
  std::optional<Version> last;           // highest release tag
  std::vector<Version> preparing;        // hop_X.Y.Z branches above it
  std::optional<std::string> branch;     // current branch
  std::optional<Version> branch_version; // when it is a release branch
};

State read_state(const git::Repository& repo);

struct PrepareOptions
{
  std::optional<Level> level;
  std::optional<std::string> message;
};

struct PrepareResult
{
  Version version;
  std::string branch;
};

PrepareResult prepare(const Project& project, const PrepareOptions& options);

struct ScriptRun
{
  std::string path;
  double ms = 0;
};

struct ApplyResult
{
  Version version;
  Version base;
  bool rebased = false;
  std::vector<ScriptRun> scripts;
  codegen::Summary package;
};

ApplyResult apply(const Project& project);

struct UndoResult
{
  Version version; // the last release the database is back at
  codegen::Summary package;
};

UndoResult undo(const Project& project);

struct ReleaseOptions
{
  bool push = false;
};

struct ReleaseResult
{
  Version version;
  std::string commit;
  testrun::Summary tests;
  bool pushed = false;
};

ReleaseResult release(const Project& project, const ReleaseOptions& options);

// A database built at the last release plus the scripts of `rel` (when
// given), from the template of the last release; for the hooks' checks.
struct Scratch
{
  std::string name;
  ConnectionSettings settings;
  std::vector<ScriptRun> scripts;
};
// Build it under the name <db> + `suffix`; on failure it is dropped and
// the error (naming the failing script) is thrown.
Scratch build_scratch(const Project& project, const patches::Release* rel,
                      const std::string& suffix);
// Drop a scratch database.
void drop_scratch(const Project& project, const Scratch& scratch);

// 1-based line and column of the 1-based character `position` of `text`
// (UTF-8), as PostgreSQL reports error positions.
std::pair<int, int> line_column(std::string_view text, int position);

// The TOML note of a release (refs/notes/hop).
struct NoteData
{
  Version version;
  std::optional<Version> previous;
  std::string message;
  std::string git_hop_version;
  std::string released_at; // UTC, RFC 3339
  std::string schema_sha256;
  std::string metadata_sha256;
  std::vector<std::pair<std::string, std::string>> scripts; // path, sha256
  testrun::Summary tests;
};
std::string render_note(const NoteData& note);

// The current UTC time, RFC 3339 ("2026-11-27T03:12:32Z").
std::string utc_now();

} // namespace hop::release
