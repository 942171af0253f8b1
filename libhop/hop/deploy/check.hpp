// The cross-check of a project's releases (design §11.1; issue 9 items
// 13 and 14): tag <-> note <-> hop_main <-> the database's hop_release
// rows <-> origin, and the states a killed `git hop release` leaves.
//
//   deploy::History h = deploy::read_history(repo);
//   deploy::Facts f = deploy::read_facts(repo, h);   // git only, no network
//   meta::Record rec = meta::read_record(conn);      // optional
//   for (const auto& p : deploy::check(h, f, &rec, {}))
//     ... p.message, p.repair ...
//
// read_facts() reads what git says beyond the History (cheap: refs, the
// notes tree, remote-tracking refs, a tree diff at most). check() is pure
// (unit-tested): it names each inconsistency and the one command that
// repairs it. `git hop status` renders the problems; `git hop release`
// acts on the same Facts to complete an interrupted release; production
// status (upgrade/restore) passes CheckOptions::production.
#pragma once

#include "../git/repository.hpp"
#include "../meta.hpp"
#include "history.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hop::deploy {

// Where git-hop keeps what it last saw of origin: hop_main in the usual
// remote-tracking branch, the notes and the tags in its own namespace
// (never under refs/tags or refs/notes, so that a fetch moves no local
// ref).
inline const std::string k_remote_main =
    std::string("refs/remotes/origin/") + k_main_branch;
inline constexpr const char* k_remote_notes =
    "refs/hop/remotes/origin/notes/hop";
inline constexpr const char* k_remote_tags = "refs/hop/remotes/origin/tags/";

// Where a ref of a release stands.
enum class RefState {
  done,     // where the release puts it
  todo,     // where it was before the release: moving it completes it
  conflict, // elsewhere: the release cannot be completed as it is
};

// A release whose note is written (refs/notes/hop moves first) while its
// tag, hop_main or release branch is not: a `git hop release` killed
// while it moved the refs.
struct Interrupted
{
  Version version;
  std::string commit; // the release commit, which carries the note
  notes::Note note;
  std::string parent;            // its first parent: the release branch before
  RefState tag = RefState::todo; // refs/tags/X.Y.Z
  RefState branch = RefState::todo;   // hop_X.Y.Z (todo: at `parent`, absent)
  RefState main = RefState::todo;     // hop_main (todo: an ancestor of commit)
  std::vector<std::string> conflicts; // why, for each conflict
};

// The steps after the refs of the last release, when one is left.
struct Unfinished
{
  Version version;
  std::string commit;
  std::string parent;
  bool branch_behind = false; // hop_X.Y.Z still at `parent`
  // HEAD is at `commit` but the release's files (`paths`) are as they
  // were at `parent`, in part or whole: the checkout did not finish.
  bool checkout = false;
  bool head_on_branch = false;    // ... and HEAD is hop_X.Y.Z, not hop_main
  std::vector<std::string> paths; // what the release commit changed
};

// A note in refs/notes/hop on a commit that is no release (and no
// interrupted one).
struct StrayNote
{
  std::string commit;
  std::string why;
};

// origin as git-hop last fetched or pushed it (never asked here).
struct Remote
{
  bool configured = false;          // a remote 'origin' exists
  std::optional<std::string> main;  // k_remote_main
  std::optional<std::string> notes; // k_remote_notes
  bool known = false; // git-hop fetched or pushed once (notes or tags seen)
  std::map<std::string, std::string> tags; // name -> object
  std::vector<Version> unpushed; // releases origin lacks (tag or commit)
  bool notes_unpushed = false;   // refs/notes/hop has notes origin lacks
};

struct Facts
{
  std::optional<std::string> branch;    // current branch; nullopt: detached
  std::optional<std::string> head;      // HEAD's commit
  std::vector<Version> preparing;       // hop_X.Y.Z above the last release
  std::vector<Interrupted> interrupted; // oldest first
  std::optional<Unfinished> unfinished; // of the last release
  std::vector<StrayNote> stray_notes;
  // The subject of the commit of each stray tag that has no note: "[X.Y.Z]
  // ..." is a release commit an older git-hop did not finish.
  std::map<std::string, std::string> stray_subjects;
  std::vector<std::string> lock_files; // stale <ref>.lock of release refs
  Remote remote;
};

// Read the facts. `changes` is the work tree's status when the caller has
// it (else it is read when needed: HEAD at the last release commit).
Facts read_facts(const git::Repository& repo, const History& history,
                 const std::vector<git::StatusEntry>* changes = nullptr);

struct Problem
{
  // Stable names, for JSON and tests: "interrupted-release",
  // "unfinished-release", "stray-tag", "stray-note", "no-hop-main",
  // "locked-ref", "row-without-commit", "row-commit-mismatch",
  // "unknown-release", "swap-interrupted", "scratch-leftover",
  // "not-pushed".
  std::string kind;
  std::optional<Version> version;
  std::string message;              // one line
  std::vector<std::string> details; // more lines, when useful
  std::string repair;               // the command that repairs it
};

struct CheckOptions
{
  // Repairs for a production database name upgrade, not release.
  bool production = false;
  // The database is missing, and this copy of it exists: what a swap
  // killed between its two renames leaves (db::Cluster::old_name()).
  std::optional<std::string> renamed_away;
  std::string database; // its name, for messages
  // Scratch databases of it that a git-hop killed while it held the
  // database's lock left (db::Cluster::scratch_names(); nobody holds it).
  std::vector<std::string> leftovers;
};

// Every inconsistency between `history`, `facts` and (when given) the
// database's `record`, in a stable order: git first, then the database,
// then origin.
std::vector<Problem> check(const History& history, const Facts& facts,
                           const meta::Record* record,
                           const CheckOptions& options = {});

} // namespace hop::deploy
