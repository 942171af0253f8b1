// What the parts of the release state machine share (release.cpp): the
// context of one command, its guards (context.cpp), the scratch builds
// (build.cpp), the push to origin (publish.cpp) and the completion of what
// a killed release left (complete.cpp). Internal to libhop.
#pragma once

#include "../deploy/check.hpp"
#include "../deploy/history.hpp"
#include "../deploy/lock.hpp"
#include "../deploy/templates.hpp"
#include "../git/repository.hpp"
#include "../notes.hpp"
#include "../patches.hpp"
#include "../release.hpp"
#include "../session.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hop::release::detail {

using deploy::k_main_branch;

struct Context
{
  Session& session;
  git::Repository& repo;
  deploy::History history;
  State state;
  // What take_lock() found a killed git-hop had left, and repaired.
  std::vector<std::string> swept;
  // The replayed database's copy made while the tests ran, to become the
  // release's template (adopt_template()).
  std::optional<deploy::TemplateCopy> template_copy;
};

Context open_context(Session& s, const std::string& command);

deploy::Lock take_lock(Context& ctx, const std::string& command);

// --- guards (context.cpp) ---------------------------------------------------

void require_clean(const git::Repository& repo, const std::string& before);

Version require_release_branch(const Context& ctx, const std::string& command);

std::string resolve_or_die(const git::Repository& repo, const std::string& ref);

// Rebase the release branch on hop_main when hop_main moved on; returns
// whether it did.
bool bring_up_to_date(Context& ctx, const Version& version);

// Stop `release` (exit 1) when the work tree is not clean, listing what
// changed.
void refuse_changes(const git::Repository& repo, const std::string& message,
                    const std::string& detail, const std::string& hint);

// A release moves hop_main and checks it out here: refuse, before acting,
// when another work tree has it checked out (git allows a branch in one
// work tree only, and the checkout would fail after the refs moved).
void refuse_main_elsewhere(const Context& ctx);

// A stale lock of a ref the release moves stops git (and us) from moving
// it: say so before acting.
void refuse_lock_files(const deploy::Facts& facts);

// Stop unless the work tree can take the release commit's files: HEAD on
// hop_X.Y.Z or hop_main, at the release commit or its parent, nothing
// changed but the release's own files.
void require_resumable_tree(const Context& ctx, const Version& v,
                            const std::string& commit,
                            const std::string& parent);

// --- scratch builds (build.cpp) ---------------------------------------------

// A scratch copy of the template of the last release with `rel`'s scripts
// run in it (when given), named <db> + `suffix`; the connection to it
// stays open in `conn` for the caller.
struct Built
{
  db::ScratchDatabase database;
  std::optional<db::Connection> conn;
  std::vector<ScriptRun> scripts;
  std::vector<deploy::LockRow> locks; // against the last release's state
};

enum class LockReport { no, yes };

constexpr const char* k_nothing_changed =
    "Nothing was changed: the database is as it was before.";

Built build_scratch(Context& ctx, const patches::Release* rel,
                    const std::string& suffix,
                    const std::string& nothing_changed = k_nothing_changed,
                    LockReport report = LockReport::no);

// Build release `rel` on the template of the last release in a scratch
// database, regenerate the package from it, then swap it in.
ApplyResult build(Context& ctx, const patches::Release* rel,
                  LockReport report = LockReport::no);

// --- origin (publish.cpp) ---------------------------------------------------

// What git-hop last saw of origin (after fetch_origin()).
struct RemoteView
{
  std::optional<std::string> main;
  std::optional<std::string> notes;
  std::map<std::string, std::string> tags; // name -> object
};

// Fetch origin's branches, tags and notes into remote-tracking refs (no
// local branch, tag or note moves), and return what it has.
RemoteView fetch_origin(const Context& ctx);

// Prove, before anything changes, that the push of a release will be
// accepted whole: hop_main and refs/notes/hop fast-forward on origin (what
// we push descends from `main_base` and `notes_base`), and origin has none
// of `tags` (name -> our object; nullopt: not made yet) or the same.
void prove_push(const Context& ctx, const RemoteView& rv,
                const std::string& main_base,
                const std::optional<std::string>& notes_base,
                const std::map<std::string, std::optional<std::string>>& tags);

// Every release tag of `history` (name -> object).
std::map<std::string, std::optional<std::string>>
release_tags(const deploy::History& history);

// Push hop_main, refs/notes/hop and every release tag origin lacks, all or
// nothing (--atomic), into `result`.
void push_to(Context& ctx, const Version& v, ReleaseResult& result);

// --- completing a release (complete.cpp) ------------------------------------

ReleaseResult summary_of(const Version& v, const std::string& commit,
                         const notes::Note& note);

// After the refs: checkout, rows, template, then the push.
void finish(Context& ctx, const Version& v, const std::string& commit,
            const std::string& parent, bool replayed, bool push,
            ReleaseResult& result);

// A `git hop release` killed while it moved the refs: the note is there,
// some of tag, hop_X.Y.Z and hop_main are not. Move them, then finish.
ReleaseResult resume(Context& ctx, const deploy::Interrupted& i,
                     const ReleaseOptions& o);

// Nothing in preparation: finish the last release if a killed run left
// something (the release branch, the checkout, the database's rows), and
// with --push send what origin lacks.
ReleaseResult complete_last(Context& ctx, const deploy::Facts& facts,
                            const ReleaseOptions& o);

} // namespace hop::release::detail
