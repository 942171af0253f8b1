#include "../db/connection.hpp"
#include "../deploy/templates.hpp"
#include "../error.hpp"
#include "../meta.hpp"
#include "../output.hpp"
#include "internal.hpp"

#include <algorithm>

namespace hop::release::detail {

namespace {

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

// Each release of `history` and its commit, as the rows record them.
std::vector<std::pair<Version, std::string>>
commits_of(const deploy::History& history)
{
  std::vector<std::pair<Version, std::string>> commits;
  commits.reserve(history.releases.size());
  for (const auto& r : history.releases) {
    commits.emplace_back(r.version, r.commit);
  }
  return commits;
}

// The database's rows after the refs moved: every release of the history
// records its commit. `replayed`: the database is the one this run
// replayed (its rows are new: stamp them). Else it is as an earlier run
// left it: stamp it when only commits are missing, rebuild it at the
// release when it is not there. Returns whether the database is the
// release's (and so may become its template).
bool complete_rows(Context& ctx, Version v, bool replayed)
{
  Session& s = ctx.session;
  ctx.history = deploy::read_history(ctx.repo);
  ctx.state = read_state(ctx.repo, ctx.history);
  auto commits = commits_of(ctx.history);
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
  if (ctx.template_copy) {
    try {
      deploy::adopt_copy_as_template(s, ctx.history, v, *ctx.template_copy,
                                     commits_of(ctx.history));
      output::trace("step: release " + v.str() +
                    ": template adopted (copied during the tests)");
      return;
    } catch (const Error& e) {
      output::trace("release: the copy made during the tests is no "
                    "template: " +
                    std::string(e.what()));
    }
    ctx.template_copy.reset();
  }
  try {
    deploy::adopt_as_template(s, ctx.history, v, s.dbname());
    output::trace("step: release " + v.str() + ": template adopted");
  } catch (const Error& e) {
    result.warnings.push_back(std::string("the template of ") + v.str() +
                              " will be built at the next apply: " + e.what());
  }
}

// The work the database's rows need: 0 none, 1 stamp commits, 2 rebuild.
int rows_work(const Context& ctx, const deploy::Facts& facts,
              db::Connection& conn)
{
  meta::Record rec = meta::read_record(conn);
  int work = 0;
  for (const auto& p : deploy::check(ctx.history, facts, &rec)) {
    if (p.kind == "row-without-commit") {
      work = std::max(work, 1);
    } else if (p.kind == "row-commit-mismatch" || p.kind == "unknown-release") {
      work = 2;
    }
  }
  return work;
}

// The rows' work, and whether a killed git-hop left databases behind (a
// scratch copy, or the database renamed away by a swap).
void read_database_work(Context& ctx, const deploy::Facts& facts, int& rows,
                        bool& leftovers)
{
  Session& s = ctx.session;
  std::string error;
  auto conn =
      db::Connection::try_connect(s.database_settings().keywords(), &error);
  if (conn) {
    rows = rows_work(ctx, facts, *conn);
    leftovers =
        !db::existing_databases(*conn, db::Cluster::scratch_names(s.dbname()))
             .empty();
  } else {
    leftovers = s.cluster().exists(db::Cluster::old_name(s.dbname()));
  }
}

} // namespace

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
  // Copies: complete_rows() reads the history again.
  const deploy::Release last = ctx.history.releases.back();
  const Version v = last.version;
  int rows = 0;
  bool leftovers = false;
  read_database_work(ctx, facts, rows, leftovers);
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
      rows = rows_work(ctx, facts, s.database()); // it may be back now
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

} // namespace hop::release::detail
