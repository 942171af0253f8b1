#include "release.hpp"

#include "db/connection.hpp"
#include "deploy/check.hpp"
#include "deploy/history.hpp"
#include "deploy/lock.hpp"
#include "deploy/templates.hpp"
#include "error.hpp"
#include "git/command.hpp"
#include "git/repository.hpp"
#include "meta.hpp"
#include "notes.hpp"
#include "output.hpp"
#include "patches.hpp"
#include "session.hpp"
#include "sha256.hpp"
#include "snapshot.hpp"
#include "templates.hpp"

#include <hop/build_info.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace hop::release {

namespace fs = std::filesystem;

namespace {

using deploy::k_main_branch;

struct Context
{
  Session& session;
  git::Repository& repo;
  deploy::History history;
  State state;
  // What take_lock() found a killed git-hop had left, and repaired.
  std::vector<std::string> swept;
};

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
  return Context{s, repo, std::move(history), std::move(state), {}};
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

process::Result run_git(const Context& ctx, std::vector<std::string> args)
{
  return git::run_git(ctx.repo.workdir(), std::move(args));
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
  auto r = run_git(ctx, {"-c", "core.hooksPath=/dev/null", "rebase", "--quiet",
                         k_main_branch});
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
  std::vector<std::string> resolved;
  for (int round = 0; !r.ok() && round < 100; ++round) {
    auto unmerged = run_git(ctx, {"diff", "--name-only", "--diff-filter=U"});
    std::vector<std::string> paths = process::last_lines(unmerged.out, 100000);
    if (paths.empty() ||
        !std::all_of(paths.begin(), paths.end(), generated_whole)) {
      break;
    }
    std::vector<std::string> checkout = {"checkout", "--theirs", "--"};
    std::vector<std::string> add = {"add", "--"};
    for (const auto& p : paths) {
      checkout.push_back(p);
      add.push_back(p);
      resolved.push_back(p);
    }
    run_git(ctx, checkout);
    run_git(ctx, add);
    r = run_git(ctx, {"-c", "core.hooksPath=/dev/null", "-c",
                      "core.editor=true", "rebase", "--continue"});
    if (!r.ok() && (r.out + r.err).find("No changes") != std::string::npos) {
      r = run_git(ctx, {"-c", "core.hooksPath=/dev/null", "rebase", "--skip"});
    }
  }
  if (!r.ok()) {
    run_git(ctx, {"rebase", "--abort"});
    Error e = fatal("cannot bring " + version.branch() + " up to date with " +
                    k_main_branch + ": the rebase conflicts");
    for (const auto& line : process::last_lines(r.out + r.err, 20)) {
      if (line.find("CONFLICT") != std::string::npos) {
        e.detail(line);
      }
    }
    e.detail("The rebase was aborted: the repository is as it was.");
    e.hint("Rebase by hand ('git rebase " + std::string(k_main_branch) +
           "'), solve the conflicts, then run the command again.");
    throw e;
  }
  if (!resolved.empty()) {
    ctx.session.report().progress(
        "Took " + version.branch() + "'s side of " +
        std::to_string(resolved.size()) +
        " conflicting generated files: they are generated again.");
  }
  return true;
}

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
                    LockReport report = LockReport::no)
{
  Session& s = ctx.session;
  // The scripts are read before any database is touched.
  std::vector<deploy::ParsedScript> parsed;
  if (rel) {
    parsed = deploy::parse_release(*rel, nothing_changed);
  }
  db::Cluster& cluster = s.cluster();
  cluster.recover_swap(s.dbname());
  std::string tpl = deploy::ensure_template(s, ctx.history, *ctx.state.last);
  Built built{
      db::ScratchDatabase(cluster, db::derived_name(s.dbname(), suffix)),
      std::nullopt,
      {},
      {}};
  cluster.clone(tpl, built.database.name());
  ConnectionSettings target = built.database.settings();
  built.conn.emplace(db::Connection::connect(target.keywords()));
  if (rel && report == LockReport::yes) {
    built.locks = deploy::lock_rows(*rel, parsed, *built.conn);
  }
  if (rel) {
    deploy::Target t{&*built.conn, target};
    deploy::Options o;
    o.project = &s.project();
    o.reporter = &s.report();
    o.nothing_changed = nothing_changed;
    auto runs = deploy::run(
        t, {deploy::Step{rel, std::nullopt, s.project().root, &parsed}}, o);
    built.scripts = std::move(runs.front().scripts);
  }
  return built;
}

// Build release `rel` on the template of the last release in a scratch
// database, regenerate the package from it, then swap it in.
ApplyResult build(Context& ctx, const patches::Release* rel,
                  LockReport report = LockReport::no)
{
  Session& s = ctx.session;
  ApplyResult result;
  result.base = *ctx.state.last;
  Built built =
      build_scratch(ctx, rel, "__hop_apply", k_nothing_changed, report);
  result.scripts = std::move(built.scripts);
  result.locks = std::move(built.locks);
  codegen::Plan plan;
  const Project& project = s.project();
  if (project.config.python.package) {
    const std::string& package = project.config.project.name;
    plan = codegen::plan_from_database(*built.conn, project.root, package);
    codegen::check_plan(
        plan, package,
        "Nothing was changed: the database is as it was before.");
  }
  built.conn.reset(); // a database is renamed only without sessions
  s.close_database();
  auto old = s.cluster().swap_in(built.database.name(), s.dbname());
  built.database.adopt();
  if (old) {
    // The user has the result before the old database is dropped.
    s.after([&s, name = *old] { s.cluster().drop(name); });
  }
  result.package = codegen::write_plan(std::move(plan), project.root);
  return result;
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

// --- release: objects first, refs last (design §11.1) --------------------

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

// What git-hop last saw of origin (after fetch_origin()).
struct RemoteView
{
  std::optional<std::string> main;
  std::optional<std::string> notes;
  std::map<std::string, std::string> tags; // name -> object
};

RemoteView read_remote_view(const git::Repository& repo)
{
  RemoteView rv;
  rv.main = repo.ref_target(deploy::k_remote_main);
  rv.notes = repo.ref_target(deploy::k_remote_notes);
  const size_t prefix = std::string(deploy::k_remote_tags).size();
  for (const auto& [name, id] : repo.refs_under(deploy::k_remote_tags)) {
    rv.tags[name.substr(prefix)] = id;
  }
  return rv;
}

// Fetch origin's branches, tags and notes into remote-tracking refs (no
// local branch, tag or note moves), and return what it has.
RemoteView fetch_origin(const Context& ctx)
{
  if (!ctx.repo.remote_url("origin")) {
    throw fatal("cannot push: no remote 'origin'")
        .detail("Nothing was changed.")
        .hint("Add it with 'git remote add origin <url>', or release without "
              "--push.");
  }
  ctx.session.report().progress("Fetching origin.");
  auto r =
      run_git(ctx, {"fetch", "--quiet", "--no-tags", "--prune", "origin",
                    "+refs/heads/*:refs/remotes/origin/*",
                    std::string("+refs/tags/*:") + deploy::k_remote_tags + "*",
                    "+refs/notes/*:refs/hop/remotes/origin/notes/*"});
  if (!r.ok()) {
    Error e = fatal("cannot push: the remote 'origin' does not answer");
    for (const auto& line : process::last_lines(r.err, 5)) {
      e.detail(line);
    }
    e.detail("Nothing was changed.");
    throw e;
  }
  output::trace("step: fetched origin");
  return read_remote_view(ctx.repo);
}

// Prove, before anything changes, that the push of a release will be
// accepted whole: hop_main and refs/notes/hop fast-forward on origin (what
// we push descends from `main_base` and `notes_base`), and origin has none
// of `tags` (name -> our object; nullopt: not made yet) or the same.
void prove_push(const Context& ctx, const RemoteView& rv,
                const std::string& main_base,
                const std::optional<std::string>& notes_base,
                const std::map<std::string, std::optional<std::string>>& tags)
{
  const std::string main = k_main_branch;
  if (rv.main && *rv.main != main_base &&
      !ctx.repo.is_ancestor(*rv.main, main_base)) {
    throw fatal("cannot push: origin's " + main + " has commits that " + main +
                " lacks here")
        .detail("origin/" + main + " is at " +
                git::Repository::short_id(*rv.main) + "; " + main +
                " here at " + git::Repository::short_id(main_base) + ".")
        .detail("The push would be refused and leave origin half released. "
                "Nothing was changed.")
        .hint("Bring " + main + " up to date first ('git checkout " + main +
              " && git merge --ff-only origin/" + main +
              "'); a release already made there takes its number.");
  }
  if (rv.notes &&
      (!notes_base || (*rv.notes != *notes_base &&
                       !ctx.repo.is_ancestor(*rv.notes, *notes_base)))) {
    throw fatal(std::string("cannot push: origin's ") + notes::k_ref +
                " has notes that are not here")
        .detail("Nothing was changed.")
        .hint(std::string("Fetch them first: git fetch origin ") +
              notes::k_ref + ":" + notes::k_ref);
  }
  for (const auto& [name, ours] : tags) {
    auto it = rv.tags.find(name);
    if (it != rv.tags.end() && (!ours || it->second != *ours)) {
      throw fatal("cannot push: the remote 'origin' already has the tag " +
                  name)
          .detail("A release tag is never moved. Nothing was changed.")
          .hint("Fetch ('git fetch origin --tags') and compare before going "
                "on.");
    }
  }
}

// Every release tag of `history` (name -> object).
std::map<std::string, std::optional<std::string>>
release_tags(const deploy::History& history)
{
  std::map<std::string, std::optional<std::string>> tags;
  for (const auto& r : history.releases) {
    tags[r.version.str()] = r.tag_object;
  }
  return tags;
}

// Push hop_main, refs/notes/hop and every release tag origin lacks, all or
// nothing (--atomic); then record what origin has. Returns the tags sent.
std::vector<std::string> push_releases(Context& ctx, const Version& v)
{
  const std::string main = k_main_branch;
  deploy::History history = deploy::read_history(ctx.repo);
  RemoteView rv = read_remote_view(ctx.repo);
  std::vector<std::string> tags;
  for (const auto& r : history.releases) {
    if (!rv.tags.count(r.version.str())) {
      tags.push_back(r.version.str());
    }
  }
  auto local_main = ctx.repo.ref_target("refs/heads/" + main);
  auto local_notes = ctx.repo.ref_target(notes::k_ref);
  if (tags.empty() && rv.main == local_main && rv.notes == local_notes) {
    output::trace("step: origin has every release");
    return tags;
  }
  std::vector<std::string> args = {"push",
                                   "--quiet",
                                   "--atomic",
                                   "origin",
                                   "refs/heads/" + main + ":refs/heads/" + main,
                                   std::string(notes::k_ref) + ":" +
                                       notes::k_ref};
  for (const auto& t : tags) {
    args.push_back("refs/tags/" + t + ":refs/tags/" + t);
  }
  ctx.session.report().progress(
      "Pushing " + main + ", " + notes::k_ref +
      (tags.empty()
           ? std::string()
           : " and the tag" + std::string(tags.size() > 1 ? "s " : " ") +
                 [&] {
                   std::string list;
                   for (const auto& t : tags) {
                     list += (list.empty() ? "" : ", ") + t;
                   }
                   return list;
                 }()) +
      " to origin.");
  output::trace("step: pushing " + std::to_string(tags.size()) + " tags");
  auto r = run_git(ctx, args);
  if (!r.ok()) {
    Error e = fatal("released " + v.str() + " here, but cannot push it");
    for (const auto& line : process::last_lines(r.err, 10)) {
      e.detail(line);
    }
    e.detail("The push is atomic: origin has none of it.");
    e.hint("Run 'git hop release --push' again: it sends every release "
           "origin lacks.");
    throw e;
  }
  output::trace("step: pushed");
  // What origin has now, as a fetch would record it.
  std::vector<git::RefUpdate> seen;
  auto record = [&](const std::string& name,
                    const std::optional<std::string>& id) {
    auto now = ctx.repo.ref_target(name);
    if (id && now != id) {
      seen.push_back({name, now, *id});
    }
  };
  record(deploy::k_remote_main, local_main);
  record(deploy::k_remote_notes, local_notes);
  for (const auto& t : tags) {
    record(deploy::k_remote_tags + t,
           history.find(*Version::parse(t))->tag_object);
  }
  ctx.repo.update_refs({seen}, "git hop release --push");
  return tags;
}

void push_to(Context& ctx, const Version& v, ReleaseResult& result)
{
  auto before = ctx.repo.ref_target(deploy::k_remote_main);
  auto notes_before = ctx.repo.ref_target(deploy::k_remote_notes);
  result.pushed_tags = push_releases(ctx, v);
  result.pushed = true;
  result.sent = !result.pushed_tags.empty() ||
                before != ctx.repo.ref_target(deploy::k_remote_main) ||
                notes_before != ctx.repo.ref_target(deploy::k_remote_notes);
}

// The release's files in the work tree and the index, and HEAD on
// hop_main. HEAD first: with the refs moved, hop_X.Y.Z and hop_main are
// the same commit, so a kill in between leaves HEAD at the release commit
// with (some of) its files as they were before, which status recognises.
void check_out_release(Context& ctx, const std::string& commit,
                       const std::string& parent)
{
  if (ctx.repo.current_branch() != std::string(k_main_branch)) {
    ctx.repo.set_head(k_main_branch);
  }
  ctx.repo.checkout_paths(commit, ctx.repo.diff_paths(parent, commit));
}

// The database's rows after the refs moved: every release of the history
// records its commit. `replayed`: the database is the one this run
// replayed (its rows are new: stamp them). Else it is as an earlier run
// left it: stamp it when only commits are missing, rebuild it at the
// release when it is not there. Returns whether the database is the
// release's (and so may become its template).
bool complete_rows(Context& ctx, const Version& v, bool replayed)
{
  Session& s = ctx.session;
  ctx.history = deploy::read_history(ctx.repo);
  ctx.state = read_state(ctx.repo, ctx.history);
  std::vector<std::pair<Version, std::string>> commits;
  for (const auto& r : ctx.history.releases) {
    commits.emplace_back(r.version, r.commit);
  }
  bool rebuild = !replayed && !s.cluster().exists(s.dbname());
  if (!replayed && !rebuild) {
    meta::Record rec = meta::read_record(s.database());
    bool has = false;
    for (const auto& row : rec.releases) {
      has = has || row.version == v;
    }
    deploy::Facts none;
    none.preparing = ctx.state.preparing;
    for (const auto& p : deploy::check(ctx.history, none, &rec)) {
      rebuild = rebuild || p.kind == "row-commit-mismatch" ||
                p.kind == "unknown-release";
    }
    rebuild = rebuild || !rec.tracked || !has;
  }
  if (rebuild) {
    s.report().progress("Rebuilding '" + s.dbname() + "' at " + v.str() + ".");
    build(ctx, nullptr);
    output::trace("step: release " + v.str() + ": database rebuilt");
    return false;
  }
  meta::stamp_commits(s.database(), commits);
  output::trace("step: release " + v.str() + ": rows stamped");
  return true;
}

// The released database is the template of its release: the next apply
// need not replay it.
void adopt_template(Context& ctx, const Version& v, ReleaseResult& result)
{
  Session& s = ctx.session;
  s.close_database();
  try {
    deploy::adopt_as_template(s, ctx.history, v, s.dbname());
    output::trace("step: release " + v.str() + ": template adopted");
  } catch (const Error& e) {
    result.warnings.push_back(std::string("the template of ") + v.str() +
                              " will be built at the next apply: " + e.what());
  }
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

ReleaseResult summary_of(const Version& v, const std::string& commit,
                         const notes::Note& note)
{
  ReleaseResult r;
  r.version = v;
  r.commit = commit;
  if (note.tests) {
    r.tests.command = note.tests->command;
    r.tests.tests_passed = note.tests->passed;
    r.tests.tests_failed = note.tests->failed;
    r.tests.tests_skipped = note.tests->skipped;
    r.tests.seconds = note.tests->seconds;
    r.tests.passed = note.tests->failed.value_or(0) == 0;
  }
  return r;
}

// After the refs: checkout, rows, template, then the push.
void finish(Context& ctx, const Version& v, const std::string& commit,
            const std::string& parent, bool replayed, bool push,
            ReleaseResult& result)
{
  check_out_release(ctx, commit, parent);
  output::trace("step: release " + v.str() + ": checked out");
  if (complete_rows(ctx, v, replayed)) {
    adopt_template(ctx, v, result);
  }
  if (push) {
    push_to(ctx, v, result);
  }
}

} // namespace

Check build_check(Session& s, const patches::Release* rel,
                  const std::string& suffix, const std::string& nothing_changed)
{
  Context ctx = open_context(s, "hooks run");
  deploy::Lock lock = take_lock(ctx, "hooks run");
  Built built = build_scratch(ctx, rel, suffix, nothing_changed);
  built.conn.reset();
  return Check{std::move(built.database), std::move(built.scripts)};
}

State read_state(const git::Repository& repo, const deploy::History& history)
{
  State s;
  s.last = history.last();
  for (const auto& b : repo.local_branches()) {
    if (auto v = Version::from_branch(b); v && (!s.last || *v > *s.last)) {
      s.preparing.push_back(*v);
    }
  }
  std::sort(s.preparing.begin(), s.preparing.end());
  s.branch = repo.current_branch();
  if (s.branch) {
    s.branch_version = Version::from_branch(*s.branch);
  }
  return s;
}

State read_state(const git::Repository& repo)
{
  return read_state(repo, deploy::read_history(repo));
}

PrepareResult prepare(Session& s, const PrepareOptions& o)
{
  Context ctx = open_context(s, "prepare");
  if (!o.level || !o.message) {
    HOP_BUG("prepare without a level or a message");
  }
  if (o.message->empty()) {
    throw usage_error("the release message is empty");
  }
  require_clean(ctx.repo, "'git hop prepare'");
  Version next = ctx.state.last->next(*o.level);
  if (ctx.repo.branch_exists(next.branch())) {
    throw fatal("a " + std::string(level_name(*o.level)) +
                " release is already in preparation: " + next.str())
        .detail("Its branch is " + next.branch() + ".")
        .hint("Run 'git checkout " + next.branch() +
              "', or prepare another level.");
  }
  std::string main =
      resolve_or_die(ctx.repo, "refs/heads/" + std::string(k_main_branch));
  ctx.repo.create_branch(next.branch(), main);
  try {
    ctx.repo.checkout_branch(next.branch());
    fs::path dir = s.project().root / next.patch_dir();
    fs::create_directories(dir);
    write_file(dir / "release.toml", patches::render_release_toml(*o.message));
    ctx.repo.add_all();
    ctx.repo.commit("[" + next.str() + "] prepare: " + *o.message);
  } catch (...) {
    if (ctx.state.branch) {
      try {
        ctx.repo.checkout_branch(*ctx.state.branch);
      } catch (...) {
      }
    }
    run_git(ctx, {"branch", "-D", next.branch()});
    throw;
  }
  return {next, next.branch()};
}

ApplyResult apply(Session& s)
{
  Context ctx = open_context(s, "apply");
  Version v = require_release_branch(ctx, "apply");
  deploy::Lock lock = take_lock(ctx, "apply");
  bool rebased = bring_up_to_date(ctx, v);
  patches::Release rel = patches::read_worktree(s.project().root, v);
  for (const auto& w : rel.warnings) {
    s.report().warning(w);
  }
  s.report().progress("Applying " + v.str() + " on " + ctx.state.last->str() +
                      " to '" + s.dbname() + "'.");
  ApplyResult result = build(ctx, &rel);
  result.version = v;
  result.rebased = rebased;
  return result;
}

UndoResult undo(Session& s)
{
  Context ctx = open_context(s, "undo");
  require_release_branch(ctx, "undo");
  deploy::Lock lock = take_lock(ctx, "undo");
  s.report().progress("Rebuilding '" + s.dbname() + "' at " +
                      ctx.state.last->str() + ".");
  ApplyResult built = build(ctx, nullptr);
  return {*ctx.state.last, built.package};
}

namespace {

// The note of a release made here.
notes::Note make_note(const Version& v, const Version& previous,
                      const patches::Release& rel, const std::string& schema,
                      const std::string& metadata, const testrun::Summary& t)
{
  notes::Note note;
  note.version = v;
  note.previous = previous;
  note.message = rel.message;
  note.git_hop_version = HOP_VERSION;
  note.released_at = notes::utc_now();
  note.schema_sha256 = sha256_hex(schema);
  note.metadata_sha256 = sha256_hex(metadata);
  for (const auto& sc : rel.scripts) {
    note.scripts.push_back({sc.path, sc.sha256});
  }
  notes::Tests tests;
  tests.command = t.command;
  tests.passed = t.tests_passed;
  tests.failed = t.tests_failed;
  tests.skipped = t.tests_skipped;
  tests.seconds = t.seconds;
  note.tests = tests;
  return note;
}

std::string first_line(const std::string& text)
{
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return line;
}

// A `git hop release` killed while it moved the refs: the note is there,
// some of tag, hop_X.Y.Z and hop_main are not. Move them, then finish.
ReleaseResult resume(Context& ctx, const deploy::Interrupted& i,
                     const ReleaseOptions& o)
{
  const Version& v = i.version;
  if (!i.conflicts.empty()) {
    Error e = fatal("release " + v.str() +
                    " was interrupted and cannot be completed as it is");
    for (const auto& c : i.conflicts) {
      e.detail(c);
    }
    e.detail("Nothing was changed.");
    e.hint("To start it over, remove its note ('git notes --ref=hop remove " +
           i.commit + "'), then run 'git hop release' again.");
    throw e;
  }
  require_resumable_tree(ctx, v, i.commit, i.parent);
  const std::string main_ref = "refs/heads/" + std::string(k_main_branch);
  const std::string branch_ref = "refs/heads/" + v.branch();
  if (o.push) {
    RemoteView rv = fetch_origin(ctx);
    auto tags = release_tags(ctx.history);
    tags[v.str()] = i.tag == deploy::RefState::done
                        ? ctx.repo.tag_info(v.str())->object
                        : std::optional<std::string>();
    prove_push(ctx, rv, i.commit, ctx.repo.ref_target(notes::k_ref), tags);
  }
  deploy::Lock lock = take_lock(ctx, "release");
  ctx.session.report().progress("Completing the interrupted release " +
                                v.str() + ".");
  std::vector<git::RefUpdate> refs;
  if (i.tag == deploy::RefState::todo) {
    std::string tag = ctx.repo.write_tag(v.str(), i.commit,
                                         v.str() + "\n\n" + i.note.message);
    refs.push_back({"refs/tags/" + v.str(), std::nullopt, tag});
  }
  if (i.branch == deploy::RefState::todo) {
    refs.push_back({branch_ref, ctx.repo.ref_target(branch_ref), i.commit});
  }
  if (i.main == deploy::RefState::todo) {
    refs.push_back({main_ref, ctx.repo.ref_target(main_ref), i.commit});
  }
  ctx.repo.update_refs({refs}, "git hop release " + v.str());
  output::trace("step: release " + v.str() + ": refs moved");
  ReleaseResult result = summary_of(v, i.commit, i.note);
  result.resumed = true;
  result.swept = ctx.swept;
  finish(ctx, v, i.commit, i.parent, false, o.push, result);
  return result;
}

// Nothing in preparation: finish the last release if a killed run left
// something (the release branch, the checkout, the database's rows), and
// with --push send what origin lacks.
ReleaseResult complete_last(Context& ctx, const deploy::Facts& facts,
                            const ReleaseOptions& o)
{
  Session& s = ctx.session;
  const deploy::Release& last = ctx.history.releases.back();
  const Version& v = last.version;
  // The database: rows to stamp or rebuild, what a killed git-hop left.
  auto rows_work = [&](db::Connection& conn) {
    meta::Record rec = meta::read_record(conn);
    int work = 0; // 1: stamp, 2: rebuild
    for (const auto& p : deploy::check(ctx.history, facts, &rec)) {
      if (p.kind == "row-without-commit") {
        work = std::max(work, 1);
      } else if (p.kind == "row-commit-mismatch" ||
                 p.kind == "unknown-release") {
        work = 2;
      }
    }
    return work;
  };
  int rows = 0;
  bool leftovers = false;
  {
    std::string error;
    auto conn =
        db::Connection::try_connect(s.database_settings().keywords(), &error);
    if (conn) {
      rows = rows_work(*conn);
      leftovers =
          !db::existing_databases(*conn, db::Cluster::scratch_names(s.dbname()))
               .empty();
    } else {
      leftovers = s.cluster().exists(db::Cluster::old_name(s.dbname()));
    }
  }
  const auto& u = facts.unfinished;
  bool local = rows || u || leftovers;
  if (!local && !o.push) {
    throw fatal("no release in preparation")
        .hint("Run 'git hop prepare -l patch -m <message>' to start one.");
  }
  if (u && !u->checkout) {
    require_clean(ctx.repo, "completing the release of " + v.str());
  }
  if (rows == 2 && !u) {
    require_clean(ctx.repo, "rebuilding '" + s.dbname() + "'");
  }
  if (o.push) {
    RemoteView rv = fetch_origin(ctx);
    prove_push(ctx, rv, last.commit, ctx.repo.ref_target(notes::k_ref),
               release_tags(ctx.history));
  }
  std::optional<deploy::Lock> lock;
  if (local) {
    lock.emplace(take_lock(ctx, "release"));
    if (leftovers) {
      rows = rows_work(s.database()); // the database may be back now
    }
  }
  ReleaseResult result = summary_of(v, last.commit, last.note);
  result.resumed = rows || u;
  result.swept = ctx.swept;
  result.published_only = !local;
  if (u && u->branch_behind) {
    const std::string ref = "refs/heads/" + v.branch();
    ctx.repo.update_refs({{{ref, u->parent, u->commit}}},
                         "git hop release " + v.str());
  }
  if (u && u->checkout) {
    check_out_release(ctx, u->commit, u->parent);
    output::trace("step: release " + v.str() + ": checked out");
  }
  if (rows && complete_rows(ctx, v, false)) {
    adopt_template(ctx, v, result);
  }
  if (o.push) {
    push_to(ctx, v, result);
  }
  return result;
}

// The next release: replay, test, then write every object, then move the
// refs: refs/notes/hop first (the note names the release commit and holds
// what only this run knows, the tests' results), then the tag, hop_X.Y.Z
// and hop_main together. Every state a kill leaves between two steps is
// one that read_facts() recognises and resume() completes.
ReleaseResult release_next(Context& ctx, const ReleaseOptions& o)
{
  Session& s = ctx.session;
  const Project& project = s.project();
  Version v = ctx.state.preparing.front();
  if (ctx.state.branch_version != v) {
    throw fatal("the next release is " + v.str())
        .detail("Releases are sequential: only the smallest release in "
                "preparation can be released.")
        .hint("Run 'git checkout " + v.branch() + "'.");
  }
  require_clean(ctx.repo, "'git hop release'");
  std::string head = resolve_or_die(ctx.repo, "HEAD");
  // A tag of this release is never moved: it may only be one an older
  // git-hop left on this very commit (then it is kept).
  std::optional<std::string> kept_tag;
  if (auto t = ctx.repo.tag_info(v.str())) {
    if (!(t->annotated && t->commit == head)) {
      throw fatal("tag " + v.str() + " already exists")
          .detail(t->annotated
                      ? "It is on " + git::Repository::short_id(t->commit) +
                            ", not on " + v.branch() + "."
                      : std::string("It is a lightweight tag."))
          .detail("A release tag is never moved. Nothing was changed.")
          .hint("If it is no release, delete it ('git tag -d " + v.str() +
                "') and run 'git hop release' again.");
    }
    kept_tag = t->object;
  }
  const std::string main_ref = "refs/heads/" + std::string(k_main_branch);
  if (o.push) {
    RemoteView rv = fetch_origin(ctx);
    auto tags = release_tags(ctx.history);
    tags[v.str()] = kept_tag;
    prove_push(ctx, rv, resolve_or_die(ctx.repo, main_ref),
               ctx.repo.ref_target(notes::k_ref), tags);
  }
  deploy::Lock lock = take_lock(ctx, "release");
  Version previous = *ctx.state.last;

  // Replay from scratch, from the committed scripts: the committed state
  // must be what apply produces.
  bring_up_to_date(ctx, v);
  head = resolve_or_die(ctx.repo, "HEAD");
  patches::Release rel = patches::read_tree(ctx.repo, "HEAD", v);
  s.report().progress("Replaying " + v.str() + " on " + previous.str() + ".");
  ApplyResult replay = build(ctx, &rel, LockReport::yes);
  ReleaseResult result;
  result.version = v;
  result.made = true;
  result.swept = ctx.swept;
  result.warnings = replay.package.warnings;
  result.locks = replay.locks;
  for (const auto& row : replay.locks) {
    if (row.blocks(project.config.deploy.warn_rows)) {
      result.warnings.push_back(
          "in production this would lock a big table for long: " +
          row.describe());
    }
  }
  refuse_changes(ctx.repo, "replaying " + v.str() + " changes committed files",
                 "Nothing was released.",
                 "Review the changes ('git diff'), commit them, then run 'git "
                 "hop release' again.");

  result.tests = testrun::run_tests(project);
  s.report().progress("Tests: " + testrun::describe(result.tests) + ".");
  if (!result.tests.passed) {
    throw testrun::failure_of(result.tests, v.str() + " is not released",
                              "Fix them, commit, then run 'git hop release' "
                              "again.")
        .detail("Nothing was committed or tagged.");
  }
  refuse_changes(ctx.repo,
                 "the tests changed the work tree: " + v.str() +
                     " is not released",
                 "Nothing was committed or tagged.",
                 "Make the tests write in a temporary directory, remove these "
                 "changes, then run 'git hop release' again.");

  // The objects: the release commit (HEAD's tree plus the baselines and
  // version.txt), its tag, the notes commit. No ref moves yet.
  ConnectionSettings dev = s.database_settings();
  std::string schema = snapshot::dump_schema(dev);
  std::string metadata = snapshot::dump_metadata(dev);
  output::trace("step: release " + v.str() + ": dumped");
  std::vector<std::pair<std::string, std::string>> files = {
      {snapshot::schema_file(v.str()), ctx.repo.write_blob(schema)},
      {snapshot::metadata_file(v.str()), ctx.repo.write_blob(metadata)},
  };
  const std::string& package = project.config.project.name;
  if (project.config.python.package && ctx.repo.entry_id("HEAD", package)) {
    files.emplace_back(package + "/version.txt",
                       ctx.repo.write_blob(v.str() + "\n"));
  }
  std::string tree = ctx.repo.write_tree(head, files);
  const std::string message = "[" + v.str() + "] " + rel.message;
  std::string commit;
  std::string parent = head;
  auto head_info = ctx.repo.commit_info(head);
  if (head_info && first_line(head_info->message) == message &&
      !head_info->parents.empty()) {
    // An older git-hop committed the release and was killed before its
    // note: that commit is the release (never a second one). Its baseline
    // must be the replay's; its metadata differs only by the dates the
    // replay recorded, and stays as committed.
    bool same = true;
    for (const auto& [path, blob] : files) {
      if (path != snapshot::metadata_file(v.str()) &&
          ctx.repo.entry_id(head, path) != blob) {
        same = false;
      }
    }
    auto committed = ctx.repo.read_blob(head, snapshot::metadata_file(v.str()));
    if (!same || !committed) {
      throw fatal(v.branch() + " already holds a release commit of " + v.str() +
                  " (" + git::Repository::short_id(head) +
                  ") whose baseline differs from the replay")
          .detail("Nothing was released.")
          .hint("Compare it with its parent ('git show --stat " +
                git::Repository::short_id(head) +
                "'); remove it ('git reset --hard HEAD^') to release anew.");
    }
    metadata = std::move(*committed);
    commit = head;
    parent = head_info->parents.front();
  } else if (kept_tag) {
    throw fatal("tag " + v.str() + " is on " + git::Repository::short_id(head) +
                ", which is not the release commit of " + v.str())
        .detail("A release tag is never moved. Nothing was released.")
        .hint("If it is no release, delete it ('git tag -d " + v.str() +
              "') and run 'git hop release' again.");
  } else {
    commit = ctx.repo.write_commit(tree, {head}, message);
  }
  result.commit = commit;
  std::string tag =
      kept_tag
          ? *kept_tag
          : ctx.repo.write_tag(v.str(), commit, v.str() + "\n\n" + rel.message);
  auto notes_before = ctx.repo.ref_target(notes::k_ref);
  std::string notes_commit =
      ctx.repo.write_note(notes::k_ref, commit,
                          notes::render(make_note(v, previous, rel, schema,
                                                  metadata, result.tests)));
  output::trace("step: release " + v.str() + ": objects written");

  // The refs: the note first, then the rest in one transaction (all of
  // them locked before the first moves).
  auto main_before = ctx.repo.ref_target(main_ref);
  if (!main_before || !ctx.repo.is_ancestor(*main_before, commit)) {
    HOP_BUG("hop_main is not an ancestor of the release after the rebase");
  }
  std::vector<git::RefUpdate> second;
  if (!kept_tag) {
    second.push_back({"refs/tags/" + v.str(), std::nullopt, tag});
  }
  const std::string branch_ref = "refs/heads/" + v.branch();
  if (commit != head) {
    second.push_back({branch_ref, head, commit});
  }
  if (*main_before != commit) {
    second.push_back({main_ref, main_before, commit});
  }
  ctx.repo.update_refs({{{notes::k_ref, notes_before, notes_commit}}, second},
                       "git hop release " + v.str());
  output::trace("step: release " + v.str() + ": refs moved");
  finish(ctx, v, commit, parent, true, o.push, result);
  return result;
}

} // namespace

ReleaseResult release(Session& s, const ReleaseOptions& o)
{
  Context ctx = open_context(s, "release");
  refuse_main_elsewhere(ctx);
  deploy::Facts facts = deploy::read_facts(ctx.repo, ctx.history);
  refuse_lock_files(facts);
  if (!facts.interrupted.empty()) {
    return resume(ctx, facts.interrupted.front(), o);
  }
  if (ctx.state.preparing.empty()) {
    return complete_last(ctx, facts, o);
  }
  if (facts.unfinished) {
    // The last release is not finished: finish it before the next one.
    ReleaseOptions local = o;
    local.push = false;
    complete_last(ctx, facts, local);
    ctx.history = deploy::read_history(ctx.repo);
    ctx.state = read_state(ctx.repo, ctx.history);
  }
  return release_next(ctx, o);
}

} // namespace hop::release
