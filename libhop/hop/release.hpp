// The development cycle: prepare, apply, undo, release (design §4-§6).
//
// Releases are sequential: the last release is the highest release of the
// history (an annotated X.Y.Z tag on hop_main with its note, see
// deploy/history.hpp); a release in preparation is a branch hop_X.Y.Z
// above it (at most one per level). apply builds, through the deploy
// engine, a scratch copy of the template of the last release, runs the
// release's scripts there and regenerates the package; it swaps the copy
// in only when everything succeeded, so a failure leaves the database
// exactly as it was.
#pragma once

#include "codegen/package.hpp"
#include "db/cluster.hpp"
#include "deploy/runner.hpp"
#include "testrun.hpp"
#include "version.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hop {
class Session;
}

namespace hop::git {
class Repository;
}

namespace hop::deploy {
struct History;
}

namespace hop::release {

struct State
{
  std::optional<Version> last;           // the last release
  std::vector<Version> preparing;        // hop_X.Y.Z branches above it
  std::optional<std::string> branch;     // current branch
  std::optional<Version> branch_version; // when it is a release branch
};

State read_state(const git::Repository& repo, const deploy::History& history);
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

PrepareResult prepare(Session& session, const PrepareOptions& options);

using deploy::ScriptRun;

struct ApplyResult
{
  Version version;
  Version base;
  bool rebased = false;
  std::vector<ScriptRun> scripts;
  codegen::Summary package;
  std::vector<std::string> warnings;
  std::vector<deploy::LockRow> locks; // when asked for (release)
};

ApplyResult apply(Session& session);

struct UndoResult
{
  Version version; // the last release the database is back at
  codegen::Summary package;
};

UndoResult undo(Session& session);

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
  std::vector<std::string> warnings;
  // The lock report of the release's statements, against the development
  // database at the last release.
  std::vector<deploy::LockRow> locks;
};

ReleaseResult release(Session& session, const ReleaseOptions& options);

// A database built at the last release plus the scripts of `rel` (when
// given), for the hooks' checks; dropped when the value goes.
struct Check
{
  db::ScratchDatabase database;
  std::vector<ScriptRun> scripts;
};
// Build it under the name <db> + `suffix` (the failing script's error is
// thrown, ending with the detail line `nothing_changed` when not empty;
// nothing is left).
Check build_check(Session& session, const patches::Release* rel,
                  const std::string& suffix,
                  const std::string& nothing_changed);

} // namespace hop::release
