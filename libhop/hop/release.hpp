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
  bool made = false;      // this run made the release (replay, tests...)
  testrun::Summary tests; // of this run, or from the note when resumed
  // It completed what a killed run left (no replay, no tests: the note
  // has their results), or only pushed.
  bool resumed = false;
  // Nothing in preparation, nothing left to finish: --push only published.
  bool published_only = false;
  bool pushed = false; // origin has the release (sent now or before)
  bool sent = false;   // something was pushed by this run
  std::vector<std::string> pushed_tags; // the release tags origin lacked
  // What a git-hop killed earlier had left, and this run repaired
  // ("dropped 'blog__hop_build'").
  std::vector<std::string> swept;
  std::vector<std::string> warnings;
  // The lock report of the release's statements, against the development
  // database at the last release.
  std::vector<deploy::LockRow> locks;
};

// `git hop release [--push]` (design §11.1). The next release: replay,
// tests, then every object (commit, tag, notes commit) before any ref;
// then refs/notes/hop, then the tag, hop_X.Y.Z and hop_main together;
// then HEAD and the checkout of hop_main, the database's rows, the
// template, the push (proved a fast-forward of hop_main and refs/notes/hop
// before anything changes, --atomic, with every release tag origin lacks).
// A run killed at any point leaves a state deploy::read_facts() names and
// the next release() completes, never with a second release commit nor a
// moved tag; with nothing in preparation it finishes the last release and,
// with --push, only publishes.

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
