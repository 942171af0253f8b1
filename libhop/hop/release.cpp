#include "release.hpp"

#include "error.hpp"
#include "git/command.hpp"
#include "output.hpp"
#include "release/internal.hpp"
#include "sha256.hpp"
#include "snapshot.hpp"
#include "util/file.hpp"

#include <hop/build_info.hpp>

#include <algorithm>
#include <optional>

namespace hop::release {

namespace fs = std::filesystem;

using namespace detail;

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
    util::write_file(dir / "release.toml",
                     patches::render_release_toml(*o.message));
    ctx.repo.add_all();
    ctx.repo.commit("[" + next.str() + "] prepare: " + *o.message);
  } catch (...) {
    if (ctx.state.branch) {
      try {
        ctx.repo.checkout_branch(*ctx.state.branch);
      } catch (...) {
      }
    }
    git::run_git(ctx.repo.workdir(), {"branch", "-D", next.branch()});
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

// A tag of release `v` is never moved: it may only be one an older
// git-hop left on `head` (then it is kept, and returned).
std::optional<std::string> kept_tag_of(const Context& ctx, const Version& v,
                                       const std::string& head)
{
  auto t = ctx.repo.tag_info(v.str());
  if (!t) {
    return std::nullopt;
  }
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
  return t->object;
}

// Replay `rel` from scratch on the last release (the committed state must
// be what apply produces), then run the tests; the baselines (the dev
// database's schema and half_orm_meta rows) are dumped into `dumps` while
// the tests run, from when their copy is made.
void replay_and_test(Context& ctx, const patches::Release& rel,
                     ReleaseResult& result,
                     std::optional<snapshot::PendingBaselines>& dumps)
{
  Session& s = ctx.session;
  const Project& project = s.project();
  const Version& v = result.version;
  s.report().progress("Replaying " + v.str() + " on " + ctx.state.last->str() +
                      ".");
  ApplyResult replay = build(ctx, &rel, LockReport::yes);
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

  ConnectionSettings dev = s.database_settings();
  result.tests = testrun::run_tests_on_copy(s, [&] {
    // The template's copy first: a pg_dump that connects meanwhile waits
    // for it (a copy waits for the sessions already there).
    try {
      ctx.template_copy.emplace(deploy::start_template_copy(s, s.dbname()));
    } catch (const Error& e) {
      output::trace(std::string("release: no template copy during the "
                                "tests: ") +
                    e.what());
    }
    dumps.emplace(snapshot::start_baselines(dev));
  });
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
}

// The release commit and its parent.
struct Commit
{
  std::string id;
  std::string parent;
};

// The release commit of `v` on `head`: HEAD's tree plus the baselines and
// version.txt, written without moving a ref; or the commit an older
// git-hop made there and was killed before its note (never a second one:
// its baseline must be the replay's; its metadata differs only by the
// dates the replay recorded, and stays as committed, in `metadata`).
Commit release_commit(Context& ctx, const Version& v,
                      const patches::Release& rel, const std::string& head,
                      const std::optional<std::string>& kept_tag,
                      const std::string& schema, std::string& metadata)
{
  std::vector<std::pair<std::string, std::string>> files = {
      {snapshot::schema_file(v.str()), ctx.repo.write_blob(schema)},
      {snapshot::metadata_file(v.str()), ctx.repo.write_blob(metadata)},
  };
  const Project& project = ctx.session.project();
  const std::string& package = project.config.project.name;
  if (project.config.python.package && ctx.repo.entry_id("HEAD", package)) {
    files.emplace_back(package + "/version.txt",
                       ctx.repo.write_blob(v.str() + "\n"));
  }
  const std::string message = "[" + v.str() + "] " + rel.message;
  auto head_info = ctx.repo.commit_info(head);
  if (head_info && first_line(head_info->message) == message &&
      !head_info->parents.empty()) {
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
    return {head, head_info->parents.front()};
  }
  if (kept_tag) {
    throw fatal("tag " + v.str() + " is on " + git::Repository::short_id(head) +
                ", which is not the release commit of " + v.str())
        .detail("A release tag is never moved. Nothing was released.")
        .hint("If it is no release, delete it ('git tag -d " + v.str() +
              "') and run 'git hop release' again.");
  }
  std::string tree = ctx.repo.write_tree(head, files);
  return {ctx.repo.write_commit(tree, {head}, message), head};
}

// The refs: refs/notes/hop first (the note names the release commit and
// holds what only this run knows, the tests' results), then the tag,
// hop_X.Y.Z and hop_main in one transaction (all of them locked before the
// first moves).
void move_refs(Context& ctx, const Version& v, const Commit& commit,
               const std::string& head, const std::string& tag, bool new_tag,
               const std::optional<std::string>& notes_before,
               const std::string& notes_commit)
{
  const std::string main_ref = "refs/heads/" + std::string(k_main_branch);
  auto main_before = ctx.repo.ref_target(main_ref);
  if (!main_before || !ctx.repo.is_ancestor(*main_before, commit.id)) {
    HOP_BUG(std::string(k_main_branch) +
            " is not an ancestor of the release after the rebase");
  }
  std::vector<git::RefUpdate> second;
  if (new_tag) {
    second.push_back({"refs/tags/" + v.str(), std::nullopt, tag});
  }
  if (commit.id != head) {
    second.push_back({"refs/heads/" + v.branch(), head, commit.id});
  }
  if (*main_before != commit.id) {
    second.push_back({main_ref, main_before, commit.id});
  }
  ctx.repo.update_refs({{{notes::k_ref, notes_before, notes_commit}}, second},
                       "git hop release " + v.str());
  output::trace("step: release " + v.str() + ": refs moved");
}

// The next release: replay, test, then write every object, then move the
// refs. Every state a kill leaves between two steps is one that
// read_facts() recognises and resume() completes.
ReleaseResult release_next(Context& ctx, const ReleaseOptions& o)
{
  Version v = ctx.state.preparing.front();
  if (ctx.state.branch_version != v) {
    throw fatal("the next release is " + v.str())
        .detail("Releases are sequential: only the smallest release in "
                "preparation can be released.")
        .hint("Run 'git checkout " + v.branch() + "'.");
  }
  require_clean(ctx.repo, "'git hop release'");
  std::string head = resolve_or_die(ctx.repo, "HEAD");
  std::optional<std::string> kept_tag = kept_tag_of(ctx, v, head);
  if (o.push) {
    RemoteView rv = fetch_origin(ctx);
    auto tags = release_tags(ctx.history);
    tags[v.str()] = kept_tag;
    prove_push(
        ctx, rv,
        resolve_or_die(ctx.repo, "refs/heads/" + std::string(k_main_branch)),
        ctx.repo.ref_target(notes::k_ref), tags);
  }
  deploy::Lock lock = take_lock(ctx, "release");
  Version previous = *ctx.state.last;

  bring_up_to_date(ctx, v);
  head = resolve_or_die(ctx.repo, "HEAD");
  patches::Release rel = patches::read_tree(ctx.repo, "HEAD", v);
  ReleaseResult result;
  result.version = v;
  result.made = true;
  result.swept = ctx.swept;
  std::optional<snapshot::PendingBaselines> dumps;
  replay_and_test(ctx, rel, result, dumps);

  // The objects: the release commit, its tag, the notes commit.
  std::string schema = dumps->schema.get();
  std::string metadata = dumps->metadata.get();
  output::trace("step: release " + v.str() + ": dumped");
  Commit commit = release_commit(ctx, v, rel, head, kept_tag, schema, metadata);
  result.commit = commit.id;
  std::string tag = kept_tag
                        ? *kept_tag
                        : ctx.repo.write_tag(v.str(), commit.id,
                                             v.str() + "\n\n" + rel.message);
  auto notes_before = ctx.repo.ref_target(notes::k_ref);
  std::string notes_commit =
      ctx.repo.write_note(notes::k_ref, commit.id,
                          notes::render(make_note(v, previous, rel, schema,
                                                  metadata, result.tests)));
  output::trace("step: release " + v.str() + ": objects written");

  move_refs(ctx, v, commit, head, tag, !kept_tag, notes_before, notes_commit);
  finish(ctx, v, commit.id, commit.parent, true, o.push, result);
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
