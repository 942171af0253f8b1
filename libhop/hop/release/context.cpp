#include "../error.hpp"
#include "../git/command.hpp"
#include "../output.hpp"
#include "internal.hpp"

#include <algorithm>
#include <set>

namespace hop::release::detail {

Context open_context(Session& s, const std::string& command)
{
  const Project& project = s.project();
  if (!project.config.project.devel) {
    refuse_sync_only("git hop " + command);
  }
  if (project.connection.production) {
    refuse_production(project, "git hop " + command);
  }
  git::Repository& repo = s.repo();
  deploy::History history =
      deploy::read_history_fetching_notes(repo, s.report());
  State state = read_state(repo, history);
  if (!state.last) {
    Error e = fatal("no release in the repository");
    e.detail("A release is an annotated tag X.Y.Z on " +
             std::string(k_main_branch) + " with its note in " + notes::k_ref +
             ".");
    for (const auto& t : history.stray) {
      e.detail("tag " + t.name + ": " + t.why);
    }
    e.hint("A devel project starts at the release 0.0.0 made by 'git hop "
           "new'; in a clone, fetch the notes: git fetch origin "
           "refs/notes/hop:refs/notes/hop");
    throw e;
  }
  return Context{s, repo, std::move(history), std::move(state), {}, {}};
}

deploy::Lock take_lock(Context& ctx, const std::string& command)
{
  Session& s = ctx.session;
  deploy::Lock lock =
      deploy::Lock::acquire(s.database_settings(), s.dbname(), command,
                            s.project().config.deploy.lock_wait_ms, s.report());
  // Whatever a git-hop killed while it held this lock left behind: a
  // database renamed away by a swap, scratch copies.
  db::Cluster& cluster = s.cluster();
  if (!cluster.exists(s.dbname()) &&
      cluster.exists(db::Cluster::old_name(s.dbname()))) {
    ctx.swept.push_back("renamed '" + db::Cluster::old_name(s.dbname()) +
                        "' back to '" + s.dbname() + "'");
  }
  for (const auto& name : cluster.sweep(s.dbname())) {
    ctx.swept.push_back("dropped '" + name + "'");
  }
  return lock;
}

void require_clean(const git::Repository& repo, const std::string& before)
{
  auto changes = repo.status();
  if (changes.empty()) {
    return;
  }
  Error e = fatal("the work tree has uncommitted changes");
  size_t shown = 0;
  for (const auto& c : changes) {
    if (++shown > 10) {
      e.detail("...");
      break;
    }
    e.detail((c.untracked ? "untracked: " : "modified:  ") + c.path);
  }
  e.hint("Commit or stash them before " + before + ".");
  throw e;
}

Version require_release_branch(const Context& ctx, const std::string& command)
{
  if (!ctx.state.branch_version ||
      *ctx.state.branch_version <= *ctx.state.last) {
    Error e =
        fatal("'git hop " + command + "' works on a release branch hop_X.Y.Z");
    e.detail("The current branch is " +
             (ctx.state.branch ? "'" + *ctx.state.branch + "'"
                               : std::string("a detached HEAD")) +
             "; the last release is " + ctx.state.last->str() + ".");
    if (!ctx.state.preparing.empty()) {
      e.hint("Run 'git checkout " + ctx.state.preparing.front().branch() +
             "'.");
    } else {
      e.hint("Run 'git hop prepare -l patch -m <message>' to start a release.");
    }
    throw e;
  }
  return *ctx.state.branch_version;
}

std::string resolve_or_die(const git::Repository& repo, const std::string& ref)
{
  auto id = repo.resolve(ref);
  if (!id) {
    throw fatal("cannot find '" + ref + "' in the repository");
  }
  return *id;
}

// Rebase the release branch on hop_main when hop_main moved on.
bool bring_up_to_date(Context& ctx, const Version& version)
{
  auto main_id = ctx.repo.resolve("refs/heads/" + std::string(k_main_branch));
  if (!main_id) {
    throw fatal("there is no branch " + std::string(k_main_branch))
        .detail("Released history lives on " + std::string(k_main_branch) + ".")
        .hint("In a clone, run 'git branch --track hop_main origin/hop_main'.");
  }
  const std::string& main = *main_id;
  std::string head = resolve_or_die(ctx.repo, "HEAD");
  if (ctx.repo.is_ancestor(main, head)) {
    return false;
  }
  require_clean(ctx.repo, "bringing " + version.branch() + " up to date with " +
                              k_main_branch);
  ctx.session.report().progress("Bringing " + version.branch() +
                                " up to date with " + k_main_branch + ".");
  // Conflicts in files that are generated whole (the package's __init__.py
  // files, ho_dataclasses.py) are not the user's to solve: apply generates
  // them again from the database right after. Take either side and go on.
  const std::string& package = ctx.session.project().config.project.name;
  auto generated_whole = [&](const std::string& path) {
    if (path.rfind(package + "/", 0) != 0) {
      return false;
    }
    std::string name = path.substr(path.rfind('/') + 1);
    return name == "__init__.py" || path == package + "/ho_dataclasses.py";
  };
  git::Rebase r =
      git::rebase(ctx.repo.workdir(), k_main_branch, generated_whole);
  if (!r.ok) {
    Error e = fatal("cannot bring " + version.branch() + " up to date with " +
                    k_main_branch + ": the rebase conflicts");
    for (const auto& line : r.conflicts) {
      e.detail(line);
    }
    e.detail("The rebase was aborted: the repository is as it was.");
    e.hint("Rebase by hand ('git rebase " + std::string(k_main_branch) +
           "'), solve the conflicts, then run the command again.");
    throw e;
  }
  const auto& resolved = r.resolved;
  if (!resolved.empty()) {
    ctx.session.report().progress(
        "Took " + version.branch() + "'s side of " +
        std::to_string(resolved.size()) +
        " conflicting generated files: they are generated again.");
  }
  return true;
}

// Stop `release` (exit 1) when the work tree is not clean, listing what
// changed.
void refuse_changes(const git::Repository& repo, const std::string& message,
                    const std::string& detail, const std::string& hint)
{
  auto changes = repo.status();
  if (changes.empty()) {
    return;
  }
  Error e = failure(message);
  for (const auto& c : changes) {
    e.detail((c.untracked ? "new:      " : "modified: ") + c.path);
  }
  e.detail(detail);
  e.hint(hint);
  throw e;
}

// A release moves hop_main and checks it out here: refuse, before acting,
// when another work tree has it checked out (git allows a branch in one
// work tree only, and the checkout would fail after the refs moved).
void refuse_main_elsewhere(const Context& ctx)
{
  for (const auto& [branch, where] : ctx.repo.branches_in_other_worktrees()) {
    if (branch == k_main_branch) {
      std::string path = where.string();
      while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
      }
      throw fatal(std::string(k_main_branch) +
                  " is checked out in another work tree: '" + path + "'")
          .detail("'git hop release' moves " + std::string(k_main_branch) +
                  " and checks it out here; git lets one work tree only "
                  "have a branch checked out.")
          .detail("Nothing was changed.")
          .hint("Release from '" + path +
                "', or check out another branch there first.");
    }
  }
}

// A stale lock of a ref the release moves stops git (and us) from moving
// it: say so before acting.
void refuse_lock_files(const deploy::Facts& facts)
{
  if (facts.lock_files.empty()) {
    return;
  }
  Error e = fatal("a ref the release moves is locked");
  for (const auto& f : facts.lock_files) {
    e.detail("'" + f + "' exists");
  }
  e.detail("A git command is running, or one was killed while it held the "
           "lock. Nothing was changed.");
  e.hint("When no git command is running, remove the file and run 'git hop "
         "release' again.");
  throw e;
}

// Stop unless the work tree can take the release commit's files: HEAD on
// hop_X.Y.Z or hop_main, at the release commit or its parent, nothing
// changed but the release's own files.
void require_resumable_tree(const Context& ctx, const Version& v,
                            const std::string& commit,
                            const std::string& parent)
{
  auto branch = ctx.repo.current_branch();
  auto head = ctx.repo.head_id();
  bool placed =
      branch &&
      (*branch == v.branch() || *branch == std::string(k_main_branch)) &&
      head && (*head == commit || *head == parent);
  if (!placed) {
    throw fatal("the interrupted release " + v.str() +
                " is completed from its branch")
        .detail(
            "The current branch is " +
            (branch ? "'" + *branch + "'" : std::string("a detached HEAD")) +
            ". Nothing was changed.")
        .hint("Run 'git checkout " + v.branch() + "', then 'git hop release'.");
  }
  auto changes = ctx.repo.status();
  if (changes.empty()) {
    return;
  }
  deploy::Unfinished u;
  u.version = v;
  u.commit = commit;
  u.parent = parent;
  u.paths = ctx.repo.diff_paths(parent, commit);
  std::set<std::string> ours(u.paths.begin(), u.paths.end());
  bool only_ours =
      std::all_of(changes.begin(), changes.end(), [&](const auto& c) {
        return ours.count(c.path) ||
               (c.path.ends_with(".hop-tmp") &&
                ours.count(c.path.substr(0, c.path.size() - 8)));
      });
  if (!only_ours) {
    require_clean(ctx.repo, "completing the release of " + v.str());
  }
}

} // namespace hop::release::detail
