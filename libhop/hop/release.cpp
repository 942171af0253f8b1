#include "release.hpp"

#include "db/connection.hpp"
#include "error.hpp"
#include "git/repository.hpp"
#include "output.hpp"
#include "patches.hpp"
#include "process.hpp"
#include "scratch.hpp"
#include "sha256.hpp"
#include "snapshot.hpp"
#include "templates.hpp"

#include <hop/build_info.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace hop::release {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_main = "hop_main";
constexpr const char* k_notes_ref = "refs/notes/hop";

struct Context
{
  const Project& project;
  git::Repository repo;
  State state;
  std::string dbname;
};

Context open_context(const Project& project)
{
  if (!project.config.project.devel) {
    throw fatal("this project is not in devel mode")
        .detail(".hop/config sets 'devel = false': git-hop only generates its "
                "package ('git hop sync-package').");
  }
  if (project.connection.production) {
    throw fatal("database '" + project.connection.name.value_or("") +
                "' is a production database")
        .detail("The connection file '" +
                project.connection.file.value_or("").string() +
                "' sets 'production = True'.")
        .hint("Releases are prepared on development databases; production "
              "databases are upgraded with 'git hop upgrade'.");
  }
  auto repo = git::Repository::discover(project.root);
  if (!repo) {
    throw fatal("'" + project.root.string() + "' is not a git repository");
  }
  State state = read_state(*repo);
  if (!state.last) {
    throw fatal("no release tag X.Y.Z in the repository")
        .hint("A devel project starts at the tag 0.0.0 made by 'git hop new'.");
  }
  std::string dbname =
      project.connection.name.value_or(project.config.project.name);
  return Context{project, std::move(*repo), std::move(state), dbname};
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

// git itself does rebases: libgit2 1.5's rebase does not handle what users
// expect (conflict messages, hooks, rerere).
process::Result run_git(const Context& ctx, std::vector<std::string> args)
{
  process::Command cmd;
  cmd.env_set["GIT_EDITOR"] = "true"; // never wait for an editor
  cmd.argv = {"git"};
  for (auto& a : args) {
    cmd.argv.push_back(std::move(a));
  }
  cmd.cwd = ctx.repo.workdir().string();
  return process::run(cmd);
}

// Rebase the release branch on hop_main when hop_main moved on.
bool bring_up_to_date(Context& ctx, const Version& version)
{
  auto main_id = ctx.repo.resolve("refs/heads/" + std::string(k_main));
  if (!main_id) {
    throw fatal("there is no branch " + std::string(k_main))
        .detail("Released history lives on " + std::string(k_main) + ".")
        .hint("In a clone, run 'git branch --track hop_main origin/hop_main'.");
  }
  const std::string& main = *main_id;
  std::string head = resolve_or_die(ctx.repo, "HEAD");
  if (ctx.repo.is_ancestor(main, head)) {
    return false;
  }
  require_clean(ctx.repo,
                "bringing " + version.branch() + " up to date with " + k_main);
  output::info("Bringing " + version.branch() + " up to date with " + k_main +
               ".");
  auto r = run_git(
      ctx, {"-c", "core.hooksPath=/dev/null", "rebase", "--quiet", k_main});
  // Conflicts in files that are generated whole (the package's __init__.py
  // files, ho_dataclasses.py) are not the user's to solve: apply generates
  // them again from the database right after. Take either side and go on.
  const std::string& package = ctx.project.config.project.name;
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
                    k_main + ": the rebase conflicts");
    for (const auto& line : process::last_lines(r.out + r.err, 20)) {
      if (line.find("CONFLICT") != std::string::npos) {
        e.detail(line);
      }
    }
    e.detail("The rebase was aborted: the repository is as it was.");
    e.hint("Rebase by hand ('git rebase " + std::string(k_main) +
           "'), solve the conflicts, then run the command again.");
    throw e;
  }
  if (!resolved.empty()) {
    output::info("Took " + version.branch() + "'s side of " +
                 std::to_string(resolved.size()) +
                 " conflicting generated files: they are generated again.");
  }
  return true;
}

struct Baseline
{
  Version version;
  std::string schema;
  std::string metadata;
};

Baseline read_baseline(const Context& ctx, const Version& v)
{
  Baseline b{v, "", ""};
  std::string tag = "refs/tags/" + v.str();
  auto schema = ctx.repo.read_blob(tag, snapshot::schema_file(v.str()));
  auto metadata = ctx.repo.read_blob(tag, snapshot::metadata_file(v.str()));
  if (!schema || !metadata) {
    throw fatal("the baseline of release " + v.str() + " is missing")
        .detail("The tag " + v.str() + " has no " +
                snapshot::schema_file(v.str()) + " or " +
                snapshot::metadata_file(v.str()) + ".")
        .hint(
            "Baselines are committed by 'git hop new' and 'git hop release'.");
  }
  b.schema = std::move(*schema);
  b.metadata = std::move(*metadata);
  return b;
}

[[noreturn]] void script_failed(const patches::Script& script,
                                const db::Error& e)
{
  std::string where = script.path;
  if (e.position() > 0) {
    auto [line, col] = line_column(script.content, e.position());
    where += ":" + std::to_string(line) + ":" + std::to_string(col);
  }
  Error err = fatal(where + ": " + e.what());
  for (const auto& d : e.details()) {
    err.detail(d);
  }
  err.detail("Nothing was changed: the database is as it was before.");
  for (const auto& h : e.hints()) {
    err.hint(h);
  }
  throw err;
}

void record_release(db::Connection& conn, const patches::Release& rel,
                    const std::vector<ScriptRun>& runs)
{
  const Version& v = rel.version;
  conn.query("insert into half_orm_meta.hop_release "
             "(major, minor, patch, changelog, hop_release) "
             "values ($1, $2, $3, $4, $5)",
             {std::to_string(v.major), std::to_string(v.minor),
              std::to_string(v.patch), rel.message, std::string(HOP_VERSION)});
  for (size_t i = 0; i < rel.scripts.size(); ++i) {
    conn.query("insert into half_orm_meta.hop_script "
               "(major, minor, patch, path, sha256, duration_ms) "
               "values ($1, $2, $3, $4, $5, $6)",
               {std::to_string(v.major), std::to_string(v.minor),
                std::to_string(v.patch), rel.scripts[i].path,
                rel.scripts[i].sha256,
                std::to_string(static_cast<long long>(runs[i].ms))});
  }
}

std::vector<ScriptRun> run_scripts(const Context& ctx,
                                   const patches::Release& rel,
                                   const ConnectionSettings& target,
                                   db::Connection& conn)
{
  bool has_py = std::any_of(
      rel.scripts.begin(), rel.scripts.end(),
      [](const patches::Script& s) { return s.kind == patches::Kind::py; });
  std::vector<ScriptRun> runs;
  std::optional<db::Transaction> tx;
  if (!has_py) {
    tx.emplace(conn);
  }
  for (const auto& script : rel.scripts) {
    output::info("+ " + script.name);
    auto start = std::chrono::steady_clock::now();
    if (script.kind == patches::Kind::sql) {
      std::optional<db::Transaction> own;
      if (has_py) {
        own.emplace(conn);
      }
      try {
        conn.exec(script.content);
      } catch (const db::Error& e) {
        script_failed(script, e);
      }
      if (own) {
        own->commit();
      }
    } else {
      ScratchDir conf("git-hop-conf");
      process::Command cmd{
          {testrun::interpreter(ctx.project.config), script.path}};
      cmd.cwd = ctx.project.root.string();
      cmd.env_set = connection_environment(ctx.project, target, conf.path());
      cmd.clean_git_env = true;
      auto r = process::run(cmd);
      if (!r.out.empty()) {
        output::verbose(r.out);
      }
      if (!r.ok()) {
        Error e = fatal(script.path + ": " + r.describe());
        for (const auto& line : process::last_lines(r.err, 20)) {
          e.detail(line);
        }
        e.detail("Nothing was changed: the database is as it was before.");
        throw e;
      }
    }
    runs.push_back({script.path, std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - start)
                                     .count()});
  }
  if (tx) {
    record_release(conn, rel, runs);
    tx->commit();
  } else {
    db::Transaction record(conn);
    record_release(conn, rel, runs);
    record.commit();
  }
  return runs;
}

// Clone the template of the last release into `scratch` and run `rel`'s
// scripts there; the scratch database is dropped on failure.
struct Filled
{
  std::vector<ScriptRun> scripts;
  std::optional<db::Connection> conn; // to the scratch database
};

// A baseline is dumped before its release is tagged: its rows get the
// commit of their tag here, in one statement.
void stamp_tag_commits(const Context& ctx, db::Connection& conn)
{
  std::string majors, minors, patches, commits;
  for (const auto& tag : ctx.repo.tags()) {
    auto v = Version::parse(tag);
    auto id = v ? ctx.repo.resolve("refs/tags/" + tag) : std::nullopt;
    if (!id) {
      continue;
    }
    const char* sep = majors.empty() ? "" : ",";
    majors += sep + std::to_string(v->major);
    minors += sep + std::to_string(v->minor);
    patches += sep + std::to_string(v->patch);
    commits += sep + *id;
  }
  if (majors.empty()) {
    return;
  }
  conn.query("update half_orm_meta.hop_release r set commit = t.commit "
             "from unnest($1::int[], $2::int[], $3::int[], $4::text[]) "
             "as t(major, minor, patch, commit) "
             "where r.major = t.major and r.minor = t.minor and "
             "r.patch = t.patch and r.pre_release = '' and "
             "coalesce(r.commit, '') = ''",
             {"{" + majors + "}", "{" + minors + "}", "{" + patches + "}",
              "{" + commits + "}"});
}

// Clone the template of the last release into `scratch` and run `rel`'s
// scripts there; the scratch database is dropped on failure. The
// connection to it stays open for the caller.
Filled fill_scratch(Context& ctx, snapshot::Admin& admin,
                    const patches::Release* rel, const std::string& scratch)
{
  Baseline base = read_baseline(ctx, *ctx.state.last);
  std::string tpl = admin.ensure_template(ctx.dbname, base.version.str(),
                                          base.schema, base.metadata);
  admin.clone(tpl, scratch);
  Filled filled;
  try {
    ConnectionSettings target = admin.settings_for(scratch);
    filled.conn.emplace(db::Connection::connect(target.keywords()));
    stamp_tag_commits(ctx, *filled.conn);
    if (rel) {
      filled.scripts = run_scripts(ctx, *rel, target, *filled.conn);
    }
  } catch (...) {
    filled.conn.reset();
    admin.drop(scratch);
    throw;
  }
  return filled;
}

// Build release `rel` on the baseline of the last release in a scratch
// database, regenerate the package from it, then swap it in.
ApplyResult build(Context& ctx, const patches::Release* rel)
{
  ApplyResult result;
  result.base = *ctx.state.last;
  snapshot::Admin admin(ctx.project.connection);
  std::string scratch = snapshot::derived_name(ctx.dbname, "__hop_apply");
  Filled filled = fill_scratch(ctx, admin, rel, scratch);
  result.scripts = std::move(filled.scripts);
  codegen::Plan plan;
  try {
    if (ctx.project.config.python.package) {
      const std::string& package = ctx.project.config.project.name;
      plan =
          codegen::plan_from_database(*filled.conn, ctx.project.root, package);
      codegen::check_plan(
          plan, package,
          "Nothing was changed: the database is as it was before.");
    }
  } catch (...) {
    filled.conn.reset();
    admin.drop(scratch);
    throw;
  }
  filled.conn.reset(); // a database is renamed only without sessions
  admin.replace(scratch, ctx.dbname);
  result.package = codegen::write_plan(std::move(plan), ctx.project.root);
  return result;
}

} // namespace

std::string utc_now()
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

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

Scratch build_scratch(const Project& project, const patches::Release* rel,
                      const std::string& suffix)
{
  Context ctx = open_context(project);
  snapshot::Admin admin(project.connection);
  Scratch s;
  s.name = snapshot::derived_name(ctx.dbname, suffix);
  s.scripts = fill_scratch(ctx, admin, rel, s.name).scripts;
  s.settings = admin.settings_for(s.name);
  return s;
}

void drop_scratch(const Project& project, const Scratch& scratch)
{
  snapshot::Admin admin(project.connection);
  admin.drop(scratch.name);
}

std::pair<int, int> line_column(std::string_view text, int position)
{
  int line = 1;
  int col = 1;
  int chars = 1;
  for (size_t i = 0; i < text.size() && chars < position; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) {
      continue; // a continuation byte: same character
    }
    ++chars;
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

State read_state(const git::Repository& repo)
{
  State s;
  for (const auto& tag : repo.tags()) {
    if (auto v = Version::parse(tag); v && (!s.last || *v > *s.last)) {
      s.last = v;
    }
  }
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

PrepareResult prepare(const Project& project, const PrepareOptions& o)
{
  Context ctx = open_context(project);
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
      resolve_or_die(ctx.repo, "refs/heads/" + std::string(k_main));
  ctx.repo.create_branch(next.branch(), main);
  try {
    ctx.repo.checkout_branch(next.branch());
    fs::path dir = project.root / next.patch_dir();
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

ApplyResult apply(const Project& project)
{
  Context ctx = open_context(project);
  Version v = require_release_branch(ctx, "apply");
  bool rebased = bring_up_to_date(ctx, v);
  patches::Release rel = patches::read_worktree(project.root, v);
  for (const auto& w : rel.warnings) {
    output::warning(w);
  }
  output::info("Applying " + v.str() + " on " + ctx.state.last->str() +
               " to '" + ctx.dbname + "'.");
  ApplyResult result = build(ctx, &rel);
  result.version = v;
  result.rebased = rebased;
  return result;
}

UndoResult undo(const Project& project)
{
  Context ctx = open_context(project);
  require_release_branch(ctx, "undo");
  output::info("Rebuilding '" + ctx.dbname + "' at " + ctx.state.last->str() +
               ".");
  ApplyResult built = build(ctx, nullptr);
  return {*ctx.state.last, built.package};
}

std::string render_note(const NoteData& n)
{
  std::ostringstream os;
  auto str = [](const std::string& s) {
    std::ostringstream q;
    q << toml::value<std::string>(s);
    return q.str();
  };
  os << "version = " << str(n.version.str()) << "\n";
  if (n.previous) {
    os << "previous = " << str(n.previous->str()) << "\n";
  }
  os << "message = " << str(n.message) << "\n"
     << "git_hop_version = " << str(n.git_hop_version) << "\n"
     << "released_at = " << n.released_at << "\n"
     << "schema_sha256 = " << str(n.schema_sha256) << "\n"
     << "metadata_sha256 = " << str(n.metadata_sha256) << "\n";
  for (const auto& [path, sha] : n.scripts) {
    os << "\n[[scripts]]\npath = " << str(path) << "\nsha256 = " << str(sha)
       << "\n";
  }
  if (n.tests.command.empty()) {
    return os.str(); // the release made by 'git hop new': no tests ran
  }
  os << "\n[tests]\ncommand = [";
  for (size_t i = 0; i < n.tests.command.size(); ++i) {
    os << (i ? ", " : "") << str(n.tests.command[i]);
  }
  os << "]\n";
  if (n.tests.tests_passed) {
    os << "passed = " << *n.tests.tests_passed << "\n"
       << "failed = " << n.tests.tests_failed.value_or(0) << "\n"
       << "skipped = " << n.tests.tests_skipped.value_or(0) << "\n";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", n.tests.seconds);
  os << "duration_s = " << secs << "\n";
  return os.str();
}

ReleaseResult release(const Project& project, const ReleaseOptions& o)
{
  Context ctx = open_context(project);
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
  Version previous = *ctx.state.last;

  // Replay from scratch: the committed state must be what apply produces.
  bring_up_to_date(ctx, v);
  patches::Release rel = patches::read_worktree(project.root, v);
  output::info("Replaying " + v.str() + " on " + previous.str() + ".");
  ApplyResult replay = build(ctx, &rel);
  for (const auto& w : replay.package.warnings) {
    output::warning(w);
  }
  refuse_changes(ctx.repo, "replaying " + v.str() + " changes committed files",
                 "Nothing was released.",
                 "Review the changes ('git diff'), commit them, then run 'git "
                 "hop release' again.");

  ReleaseResult result;
  result.version = v;
  result.tests = testrun::run_tests(project);
  output::info("Tests: " + testrun::describe(result.tests) + ".");
  if (!result.tests.passed) {
    throw failure("the tests failed: " + v.str() + " is not released")
        .detail("Nothing was committed or tagged.")
        .hint("Fix them, commit, then run 'git hop release' again.");
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
  ConnectionSettings dev = project.connection;
  dev.name = ctx.dbname;
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
      resolve_or_die(ctx.repo, "refs/heads/" + std::string(k_main));
  if (!ctx.repo.is_ancestor(main, commit)) {
    HOP_BUG("hop_main is not an ancestor of the release after the rebase");
  }
  ctx.repo.set_branch(k_main, commit, "git hop release " + v.str());
  ctx.repo.checkout_branch(k_main);
  ctx.repo.create_tag(v.str(), commit, v.str() + "\n\n" + rel.message);

  NoteData note;
  note.version = v;
  note.previous = previous;
  note.message = rel.message;
  note.git_hop_version = HOP_VERSION;
  note.released_at = utc_now();
  note.schema_sha256 = sha256_hex(schema);
  note.metadata_sha256 = sha256_hex(metadata);
  for (const auto& s : rel.scripts) {
    note.scripts.emplace_back(s.path, s.sha256);
  }
  note.tests = result.tests;
  ctx.repo.add_note(k_notes_ref, commit, render_note(note));

  {
    auto conn = db::Connection::connect(dev.keywords());
    conn.query("update half_orm_meta.hop_release set commit = $1, "
               "hop_release = $2 where major = $3 and minor = $4 and "
               "patch = $5 and pre_release = '' and pre_release_num = ''",
               {commit, std::string(HOP_VERSION), std::to_string(v.major),
                std::to_string(v.minor), std::to_string(v.patch)});
  }

  if (o.push) {
    auto r = run_git(
        ctx,
        {"push", "--quiet", "origin",
         std::string("refs/heads/") + k_main + ":refs/heads/" + k_main,
         "refs/tags/" + v.str(), std::string(k_notes_ref) + ":" + k_notes_ref});
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
