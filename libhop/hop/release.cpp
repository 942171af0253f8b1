#include "release.hpp"

#include "db/connection.hpp"
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
  return Context{s, repo, std::move(history), std::move(state)};
}

deploy::Lock take_lock(Context& ctx, const std::string& command)
{
  Session& s = ctx.session;
  return deploy::Lock::acquire(s.database_settings(), s.dbname(), command,
                               s.project().config.deploy.lock_wait_ms,
                               s.report());
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

// Whether remote `origin` answers, and whether it already has tag `tag`.
void check_remote(const Context& ctx, const std::string& tag)
{
  if (!ctx.repo.remote_url("origin")) {
    throw fatal("cannot push: no remote 'origin'")
        .detail("Nothing was changed.")
        .hint("Add it with 'git remote add origin <url>', or release without "
              "--push.");
  }
  auto r =
      run_git(ctx, {"ls-remote", "--exit-code", "origin", "refs/tags/" + tag});
  if (r.exit_code == 0) {
    throw fatal("cannot push: the remote 'origin' already has the tag " + tag)
        .detail("A release tag is never moved. Nothing was changed.")
        .hint("Fetch ('git fetch origin --tags') and compare before going on.");
  }
  if (r.exit_code != 2) {
    Error e = fatal("cannot push: the remote 'origin' does not answer");
    for (const auto& line : process::last_lines(r.err, 5)) {
      e.detail(line);
    }
    e.detail("Nothing was changed.");
    throw e;
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

ReleaseResult release(Session& s, const ReleaseOptions& o)
{
  Context ctx = open_context(s, "release");
  const Project& project = s.project();
  if (ctx.state.preparing.empty()) {
    throw fatal("no release in preparation")
        .hint("Run 'git hop prepare -l patch -m <message>' to start one.");
  }
  Version v = ctx.state.preparing.front();
  if (ctx.state.branch_version != v) {
    throw fatal("the next release is " + v.str())
        .detail("Releases are sequential: only the smallest release in "
                "preparation can be released.")
        .hint("Run 'git checkout " + v.branch() + "'.");
  }
  require_clean(ctx.repo, "'git hop release'");
  if (o.push) {
    check_remote(ctx, v.str());
  }
  deploy::Lock lock = take_lock(ctx, "release");
  Version previous = *ctx.state.last;

  // Replay from scratch, from the committed scripts: the committed state
  // must be what apply produces.
  bring_up_to_date(ctx, v);
  patches::Release rel = patches::read_tree(ctx.repo, "HEAD", v);
  s.report().progress("Replaying " + v.str() + " on " + previous.str() + ".");
  ApplyResult replay = build(ctx, &rel, LockReport::yes);
  ReleaseResult result;
  result.version = v;
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
  // The tree was clean before the tests: whatever is there now was left by
  // them, and must not end up in the release commit (add_all below).
  refuse_changes(ctx.repo,
                 "the tests changed the work tree: " + v.str() +
                     " is not released",
                 "Nothing was committed or tagged.",
                 "Make the tests write in a temporary directory, remove these "
                 "changes, then run 'git hop release' again.");

  // The baseline of the release, committed on its branch.
  ConnectionSettings dev = s.database_settings();
  std::string schema = snapshot::dump_schema(dev);
  std::string metadata = snapshot::dump_metadata(dev);
  write_file(project.root / snapshot::schema_file(v.str()), schema);
  write_file(project.root / snapshot::metadata_file(v.str()), metadata);
  const std::string& package = project.config.project.name;
  if (project.config.python.package &&
      fs::is_directory(project.root / package)) {
    write_file(project.root / package / "version.txt", v.str() + "\n");
  }
  ctx.repo.add_all();
  std::string commit = ctx.repo.commit("[" + v.str() + "] " + rel.message);
  result.commit = commit;

  std::string main =
      resolve_or_die(ctx.repo, "refs/heads/" + std::string(k_main_branch));
  if (!ctx.repo.is_ancestor(main, commit)) {
    HOP_BUG("hop_main is not an ancestor of the release after the rebase");
  }
  ctx.repo.set_branch(k_main_branch, commit, "git hop release " + v.str());
  ctx.repo.checkout_branch(k_main_branch);
  ctx.repo.create_tag(v.str(), commit, v.str() + "\n\n" + rel.message);

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
  tests.command = result.tests.command;
  tests.passed = result.tests.tests_passed;
  tests.failed = result.tests.tests_failed;
  tests.skipped = result.tests.tests_skipped;
  tests.seconds = result.tests.seconds;
  note.tests = tests;
  ctx.repo.add_note(notes::k_ref, commit, notes::render(note));

  meta::stamp_commits(s.database(), {{v, commit}});
  s.close_database();
  // The released database is the template of its release: the next apply
  // need not replay it.
  try {
    deploy::adopt_as_template(s, deploy::read_history(ctx.repo), v, s.dbname());
  } catch (const Error& e) {
    s.report().warning(std::string("the template of ") + v.str() +
                       " will be built at the next apply: " + e.what());
  }

  if (o.push) {
    auto r = run_git(ctx, {"push", "--quiet", "origin",
                           std::string("refs/heads/") + k_main_branch +
                               ":refs/heads/" + k_main_branch,
                           "refs/tags/" + v.str(),
                           std::string(notes::k_ref) + ":" + notes::k_ref});
    if (!r.ok()) {
      Error e = fatal("released " + v.str() + " here, but cannot push it");
      for (const auto& line : process::last_lines(r.err, 10)) {
        e.detail(line);
      }
      e.hint("Push by hand: git push origin hop_main " + v.str() +
             " refs/notes/hop");
      throw e;
    }
    result.pushed = true;
  }
  return result;
}

} // namespace hop::release
