#include "upgrade.hpp"

#include "../db/cluster.hpp"
#include "../db/connection.hpp"
#include "../error.hpp"
#include "../git/repository.hpp"
#include "../json.hpp"
#include "../output.hpp"
#include "../scratch.hpp"
#include "../session.hpp"
#include "../snapshot.hpp"
#include "history.hpp"
#include "lock.hpp"
#include "statements.hpp"
#include "templates.hpp"

#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <sstream>

namespace hop::deploy {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

void refuse_development(const Project& project, const std::string& command)
{
  throw fatal("database '" +
              project.connection.name.value_or(project.config.project.name) +
              "' is not a production database")
      .detail(std::string("'git hop ") + command +
              "' works on production databases: their connection file sets "
              "'production = True'" +
              (project.connection.file
                   ? " ('" + project.connection.file->string() + "' does not)."
                   : " (there is no connection file)."))
      .hint("In development, the database follows the branch: 'git hop "
            "apply', 'git hop undo', 'git hop release'.");
}

// What the database records, against the repository: one line per
// problem, nothing when they agree.
std::vector<std::string> record_problems(const History& h,
                                         const meta::Record& rec)
{
  std::vector<std::string> out;
  for (const auto& row : rec.releases) {
    const Release* r = h.find(row.version);
    std::string v = row.version.str();
    if (!r) {
      out.push_back("the database records release " + v +
                    ", which is not a release of this repository");
      continue;
    }
    if (row.commit && !row.commit->empty() && *row.commit != r->commit) {
      out.push_back("the database records release " + v + " at commit " +
                    row.commit->substr(0, 12) + "; its tag is at " +
                    r->commit.substr(0, 12));
    }
    // Rows of a release recorded before git-hop (no hop_release version,
    // no script) cannot be checked script by script.
    if (row.scripts.empty() && !row.hop_release) {
      continue;
    }
    std::map<std::string, std::string> noted;
    for (const auto& s : r->note.scripts) {
      noted[s.path] = s.sha256;
    }
    for (const auto& s : row.scripts) {
      auto it = noted.find(s.path);
      if (it == noted.end()) {
        out.push_back("the database records '" + s.path + "' for release " + v +
                      ", which its note does not list");
        continue;
      }
      if (it->second != s.sha256) {
        out.push_back("'" + s.path + "' of release " + v +
                      " ran here with sha256 " + s.sha256.substr(0, 12) +
                      "; its note says " + it->second.substr(0, 12));
      }
      noted.erase(it);
    }
    for (const auto& [path, sha] : noted) {
      out.push_back("the database does not record '" + path + "' of release " +
                    v + " as run");
    }
  }
  if (auto last = rec.last(); last && h.last() && *last > *h.last()) {
    out.push_back("the database is at release " + last->str() +
                  ", ahead of this repository (its last release is " +
                  h.last()->str() + ")");
  }
  return out;
}

[[noreturn]] void refuse_record(const std::string& db,
                                const std::vector<std::string>& problems)
{
  Error e = fatal("database '" + db + "' does not agree with the repository");
  for (const auto& p : problems) {
    e.detail(p);
  }
  e.detail("Nothing was changed.");
  e.hint("Fetch the releases ('git fetch origin hop_main --tags "
         "refs/notes/hop:refs/notes/hop') if the repository is behind; a "
         "script or row changed after it ran is tampering: find out who "
         "changed it before going on.");
  throw e;
}

// The part of an upgrade's plan that needs git only.
PlannedRelease plan_release(const git::Repository& repo, const Release& r,
                            patches::Release& scripts,
                            std::vector<ParsedScript>& parsed)
{
  scripts = read_scripts(repo, r);
  parsed = parse_release(scripts, "Nothing was changed.");
  PlannedRelease p;
  p.version = r.version;
  p.commit = r.commit;
  p.message = r.note.message;
  for (size_t i = 0; i < scripts.scripts.size(); ++i) {
    const patches::Script& s = scripts.scripts[i];
    PlannedScript ps;
    ps.path = s.path;
    ps.sha256 = s.sha256;
    ps.python = s.kind == patches::Kind::py;
    ps.transactional = !ps.python && parsed[i].transactional;
    ps.content = s.content;
    p.scripts.push_back(std::move(ps));
  }
  return p;
}

bool schema_is_empty(const std::string& dump)
{
  return dump.find("\n-- Name: ") == std::string::npos;
}

std::string client_of(const std::string& command)
{
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return "git-hop " + command + " [pid " + std::to_string(getpid()) + " on " +
         host + "]";
}

// Bring an untracked database to the first release (--init): load its
// baseline into an empty database, or install the tracking schema in one
// that equals it.
void init_database(Session& s, const History& h, db::Connection& conn,
                   const std::string& mode)
{
  const Release& first = h.releases.front();
  git::Repository& repo = s.repo();
  std::string v = first.version.str();
  if (mode == "empty") {
    s.report().progress("Loading the baseline of release " + v + ".");
    snapshot::load_sql(
        s.database_settings(),
        read_baseline_file(repo, first, snapshot::schema_file(v)) +
            read_baseline_file(repo, first, snapshot::metadata_file(v)),
        "cannot load the baseline of release " + v);
    db::Transaction tx(conn);
    meta::migrate(conn);
    meta::stamp_commits(conn, {{first.version, first.commit}});
    tx.commit();
    return;
  }
  s.report().progress("Adopting the database at release " + v +
                      ": installing half_orm_meta.");
  db::Transaction tx(conn);
  meta::install(conn, false);
  meta::record_release(conn, first.version, first.note.message, first.commit);
  tx.commit();
}

} // namespace

fs::path backups_dir(Session& s)
{
  return s.project().root / "Backups";
}

UpgradeResult upgrade(Session& s, const UpgradeOptions& o)
{
  auto start = Clock::now();
  const Project& project = s.project();
  if (!project.connection.production) {
    refuse_development(project, "upgrade");
  }
  git::Repository& repo = s.repo();
  History h = read_history_fetching_notes(repo, s.report());
  if (h.releases.empty()) {
    throw fatal("no release in the repository")
        .detail("A release is an annotated tag X.Y.Z on hop_main with its "
                "note in refs/notes/hop.")
        .hint("Fetch them: git fetch origin hop_main --tags "
              "refs/notes/hop:refs/notes/hop");
  }
  if (o.to && !h.find(*o.to)) {
    throw fatal("release " + o.to->str() +
                " is not a release of this "
                "repository")
        .detail("Its last release is " + h.last()->str() + ".");
  }
  UpgradeResult result;
  UpgradePlan& plan = result.plan;
  plan.database = s.dbname();
  for (const auto& t : h.stray) {
    plan.warnings.push_back("tag " + t.name + " is not a release: " + t.why);
  }
  db::Connection& conn = s.database();
  meta::Record rec = meta::read_record(conn);
  std::string live;
  if (!rec.tracked) {
    if (!o.init) {
      throw fatal("database '" + plan.database +
                  "' has no half_orm_meta: "
                  "git-hop does not know its release")
          .detail("Nothing was changed.")
          .hint("To start tracking it, run 'git hop upgrade --init': an "
                "empty database gets the first release's baseline, one that "
                "equals it is adopted.");
    }
    live = snapshot::dump_schema(s.database_settings());
    const Release& first = h.releases.front();
    if (schema_is_empty(live)) {
      plan.init = "empty";
    } else {
      auto diff = snapshot::compare_schemas(
          read_baseline_file(repo, first,
                             snapshot::schema_file(first.version.str())),
          live, snapshot::schema_file(first.version.str()),
          "database '" + plan.database + "'");
      if (!diff.empty()) {
        Error e = fatal("database '" + plan.database +
                        "' is not empty and differs from the baseline of " +
                        first.version.str());
        for (const auto& d : diff) {
          e.detail(d);
        }
        e.detail("Nothing was changed.");
        e.hint("'upgrade --init' adopts an empty database or one whose "
               "schema equals " +
               snapshot::schema_file(first.version.str()) + ".");
        throw e;
      }
      plan.init = "adopt";
    }
    plan.from = std::nullopt;
  } else {
    if (o.init) {
      throw fatal("database '" + plan.database + "' is already tracked (at " +
                  (rec.last() ? rec.last()->str() : std::string("no release")) +
                  ")")
          .hint("Run 'git hop upgrade' without --init.");
    }
    auto problems = record_problems(h, rec);
    if (!problems.empty()) {
      refuse_record(plan.database, problems);
    }
    plan.from = rec.last();
    if (!plan.from) {
      throw fatal("database '" + plan.database + "' records no release")
          .detail("Nothing was changed.");
    }
    plan.interrupted = rec.upgrade;
  }
  Version from = plan.from ? *plan.from : h.releases.front().version;
  if (o.to && *o.to < from) {
    throw fatal("database '" + plan.database + "' is at " + from.str() +
                ", past " + o.to->str())
        .detail("An upgrade never goes back; 'git hop restore " + o.to->str() +
                "' restores a backup.");
  }
  auto pending = h.after(from, o.to);
  auto sources =
      std::make_shared<std::vector<patches::Release>>(pending.size());
  result.sources = sources;
  std::vector<patches::Release>& scripts = *sources;
  std::vector<std::vector<ParsedScript>> parsed(pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    plan.releases.push_back(
        plan_release(repo, *pending[i], scripts[i], parsed[i]));
    plan.one_transaction =
        plan.one_transaction && transactional(scripts[i], parsed[i]);
  }
  plan.to = pending.empty() ? from : pending.back()->version;
  if (plan.interrupted && (pending.empty() || plan.interrupted->release !=
                                                  pending.front()->version)) {
    throw fatal("database '" + plan.database +
                "' records an interrupted "
                "upgrade of " +
                plan.interrupted->release.str() +
                " that is not the next release")
        .detail("It is at " + from.str() + "; the interrupted upgrade began " +
                plan.interrupted->started_at + " by " +
                plan.interrupted->client + ".")
        .hint("Restore the backup taken before it: " +
              (plan.interrupted->backup.empty() ? std::string("(none recorded)")
                                                : plan.interrupted->backup));
  }
  // Drift: the live schema against the baseline of the release it records
  // (not while an interrupted upgrade is half-way).
  if (plan.from && !plan.interrupted) {
    const Release* at = h.find(*plan.from);
    live = snapshot::dump_schema(s.database_settings());
    plan.drift = snapshot::compare_schemas(
        read_baseline_file(repo, *at, snapshot::schema_file(at->version.str())),
        live, snapshot::schema_file(at->version.str()),
        "database '" + plan.database + "'");
    if (!plan.drift.empty() && !o.allow_drift) {
      Error e = fatal("database '" + plan.database +
                      "' has drifted from the "
                      "baseline of release " +
                      at->version.str());
      for (const auto& d : plan.drift) {
        e.detail(d);
      }
      e.detail("Nothing was changed.");
      e.hint("Someone changed the schema by hand. Put it back, or run again "
             "with --allow-drift to upgrade anyway.");
      plan.refusals.push_back(std::move(e));
    }
  }
  // The lock report, against the database as it is now (a table a
  // pending release creates has no size yet).
  long long limit = project.config.deploy.max_locked_rows;
  for (size_t i = 0; i < pending.size(); ++i) {
    plan.releases[i].locks = lock_rows(scripts[i], parsed[i], conn);
    for (const auto& row : plan.releases[i].locks) {
      if (row.blocks(limit)) {
        plan.blocking.push_back(row);
      }
    }
  }
  if (!plan.blocking.empty() && !o.allow_blocking) {
    Error e = fatal("an upgrade of '" + plan.database + "' would lock " +
                    "tables of more than " + std::to_string(limit) +
                    " rows for long");
    for (const auto& row : plan.blocking) {
      e.detail(row.describe());
    }
    e.detail("Nothing was changed.");
    e.hint("Such a statement stops the application's queries on the table "
           "while it runs; rewrite it (CREATE INDEX CONCURRENTLY, ADD "
           "CONSTRAINT ... NOT VALID then VALIDATE, a new column filled in "
           "batches...), or run at a quiet time with --allow-blocking.");
    e.hint("[deploy] max_locked_rows in .hop/config sets the limit; see "
           "LOCKS in git-hop(1).");
    plan.refusals.push_back(std::move(e));
  }
  if (o.dry_run) {
    return result;
  }
  if (!plan.refusals.empty()) {
    throw plan.refusals.front();
  }
  if (plan.releases.empty() && plan.init.empty()) {
    result.already = true;
    return result;
  }

  // Act: lock, then check again what the database records (another
  // upgrade may have run meanwhile), back up, run.
  long long wait =
      o.lock_wait_ms ? *o.lock_wait_ms : project.config.deploy.lock_wait_ms;
  Lock lock = Lock::acquire(s.database_settings(), plan.database, "upgrade",
                            wait, s.report());
  meta::Record now = meta::read_record(conn);
  if (now.tracked != rec.tracked || now.last() != rec.last() ||
      (now.upgrade.has_value() != rec.upgrade.has_value())) {
    auto again = record_problems(h, now);
    if (!again.empty()) {
      refuse_record(plan.database, again);
    }
    if (now.tracked && !now.upgrade &&
        (!now.last() || (plan.to && *now.last() >= *plan.to))) {
      result.already = true;
      plan.releases.clear();
      plan.from = now.last();
      return result;
    }
    throw fatal("database '" + plan.database +
                "' changed while git-hop "
                "waited for its lock")
        .detail("Nothing was changed.")
        .hint("Run 'git hop upgrade' again.");
  }
  result.backup = take_backup(s.database_settings(), backups_dir(s), plan.from);
  s.report().progress("Backed up '" + plan.database + "' to " +
                      result.backup->path.string() + ".");
  if (!plan.init.empty()) {
    init_database(s, h, conn, plan.init);
    rec = meta::read_record(conn);
  } else {
    db::Transaction tx(conn);
    meta::migrate(conn);
    tx.commit();
  }
  std::vector<std::unique_ptr<TempDir>> exports;
  std::vector<Step> steps;
  for (size_t i = 0; i < pending.size(); ++i) {
    Step step{&scripts[i], pending[i]->commit, project.root, &parsed[i]};
    for (const auto& sc : scripts[i].scripts) {
      if (sc.kind == patches::Kind::py && step.code_root == project.root) {
        exports.push_back(std::make_unique<TempDir>("git-hop-export"));
        repo.export_tree("refs/tags/" + pending[i]->version.str(),
                         exports.back()->path());
        step.code_root = exports.back()->path();
      }
    }
    steps.push_back(step);
  }
  Target target{&conn, s.database_settings()};
  Options ro;
  ro.project = &project;
  ro.reporter = &s.report();
  ro.client = client_of("upgrade");
  ro.backup = result.backup->path.filename().string();
  ro.target_version = plan.to;
  ro.resume = &rec;
  ro.nothing_changed =
      plan.one_transaction
          ? "Nothing was changed: the database is as it was before."
          : "The releases before it are applied; the next 'git hop upgrade' "
            "goes on from there. Backup: " +
                result.backup->path.string();
  result.runs = run(target, steps, ro);
  result.ms =
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return result;
}

namespace {

void indent(std::ostringstream& os, std::string_view text,
            const std::string& prefix)
{
  while (!text.empty()) {
    size_t end = text.find('\n');
    os << prefix << text.substr(0, end) << "\n";
    if (end == std::string_view::npos) {
      break;
    }
    text.remove_prefix(end + 1);
  }
}

} // namespace

std::string render_plan_text(const UpgradePlan& p)
{
  std::ostringstream os;
  os << "Upgrade of '" << p.database << "' from "
     << (p.from ? p.from->str() : std::string("an untracked database"))
     << " to " << (p.to ? p.to->str() : std::string("?")) << ": "
     << p.releases.size() << (p.releases.size() == 1 ? " release" : " releases")
     << (p.releases.empty()
             ? ""
             : (p.one_transaction ? ", in one transaction"
                                  : ", each release committed on its own"))
     << ".\n";
  if (p.init == "empty") {
    os << "The database is empty: it gets the baseline of the first release "
          "first.\n";
  } else if (p.init == "adopt") {
    os << "The database equals the baseline of the first release: it is "
          "adopted (half_orm_meta is installed).\n";
  }
  if (p.interrupted) {
    os << "An upgrade of " << p.interrupted->release.str()
       << " was interrupted (" << p.interrupted->started_at
       << "): it goes on from what is recorded.\n";
  }
  for (const auto& d : p.drift) {
    os << "drift: " << d << "\n";
  }
  for (const auto& r : p.releases) {
    os << "\nrelease " << r.version.str() << " (" << r.commit.substr(0, 12)
       << "): " << r.message << "\n";
    if (!r.locks.empty()) {
      os << "  locks:\n";
      for (const auto& l : r.locks) {
        os << "    " << l.describe() << "\n";
      }
    }
    for (const auto& s : r.scripts) {
      os << "  " << s.path << "  sha256:" << s.sha256
         << (s.python ? "  (python)"
                      : (s.transactional ? "" : "  (outside a transaction)"))
         << "\n";
      if (!s.python) {
        indent(os, s.content, "    | ");
      }
    }
  }
  return os.str();
}

namespace {

void plan_json(json::Writer& w, const UpgradePlan& p)
{
  w.key("database").value(p.database);
  w.key("from");
  p.from ? w.value(p.from->str()) : w.null();
  w.key("to");
  p.to ? w.value(p.to->str()) : w.null();
  w.key("init");
  p.init.empty() ? w.null() : w.value(p.init);
  w.key("one_transaction").value(p.one_transaction);
  w.key("interrupted");
  if (p.interrupted) {
    w.begin_object()
        .key("release")
        .value(p.interrupted->release.str())
        .key("started_at")
        .value(p.interrupted->started_at)
        .key("client")
        .value(p.interrupted->client)
        .end_object();
  } else {
    w.null();
  }
  w.key("drift").begin_array();
  for (const auto& d : p.drift) {
    w.value(d);
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& d : p.warnings) {
    w.value(d);
  }
  w.end_array();
  w.key("refused").begin_array();
  for (const auto& e : p.refusals) {
    w.value(e.what());
  }
  w.end_array();
  w.key("releases").begin_array();
  for (const auto& r : p.releases) {
    w.begin_object()
        .key("version")
        .value(r.version.str())
        .key("commit")
        .value(r.commit)
        .key("message")
        .value(r.message);
    w.key("locks").begin_array();
    for (const auto& l : r.locks) {
      w.begin_object()
          .key("statement")
          .value(l.file_line)
          .key("tag")
          .value(l.tag)
          .key("count")
          .value(static_cast<long long>(l.count))
          .key("relation")
          .value(l.relation)
          .key("lock")
          .value(l.level)
          .key("rewrite")
          .value(l.rewrite)
          .key("scan")
          .value(l.scan)
          .key("reason")
          .value(l.reason);
      w.key("rows");
      l.rows ? w.value(*l.rows) : w.null();
      w.key("bytes");
      l.bytes ? w.value(*l.bytes) : w.null();
      w.end_object();
    }
    w.end_array();
    w.key("scripts").begin_array();
    for (const auto& s : r.scripts) {
      w.begin_object()
          .key("path")
          .value(s.path)
          .key("sha256")
          .value(s.sha256)
          .key("kind")
          .value(s.python ? "python" : "sql")
          .key("transactional")
          .value(s.transactional);
      if (!s.python) {
        w.key("sql").value(s.content);
      }
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
}

} // namespace

std::string render_plan_json(const UpgradePlan& p,
                             const std::string& git_hop_version)
{
  json::Writer w;
  w.begin_object().key("git_hop_version").value(git_hop_version);
  w.key("dry_run").value(true);
  plan_json(w, p);
  w.end_object();
  return w.str() + "\n";
}

std::string render_result_json(const UpgradeResult& r,
                               const std::string& git_hop_version)
{
  json::Writer w;
  w.begin_object().key("git_hop_version").value(git_hop_version);
  w.key("dry_run").value(false);
  plan_json(w, r.plan);
  w.key("backup");
  r.backup ? w.value(r.backup->path.string()) : w.null();
  w.key("applied").begin_array();
  for (const auto& run : r.runs) {
    w.begin_object()
        .key("version")
        .value(run.version.str())
        .key("ms")
        .value(static_cast<long long>(run.ms))
        .key("attempts")
        .value(run.attempts)
        .end_object();
  }
  w.end_array();
  w.key("ms").value(static_cast<long long>(r.ms));
  w.end_object();
  return w.str() + "\n";
}

RestoreResult restore(Session& s, const Version& v)
{
  const Project& project = s.project();
  RestoreResult result;
  result.version = v;
  if (!project.connection.production) {
    // Development: the template of that release is the database at it.
    if (!project.config.project.devel) {
      refuse_sync_only("git hop restore");
    }
    History h = read_history_fetching_notes(s.repo(), s.report());
    if (!h.find(v)) {
      Error e = fatal("release " + v.str() +
                      " is not a release of this "
                      "repository");
      std::string all;
      for (const auto& r : h.releases) {
        all += (all.empty() ? "" : ", ") + r.version.str();
      }
      e.detail("Its releases: " + (all.empty() ? std::string("none") : all) +
               ".");
      throw e;
    }
    Lock lock = Lock::acquire(s.database_settings(), s.dbname(), "restore",
                              project.config.deploy.lock_wait_ms, s.report());
    db::Cluster& cluster = s.cluster();
    cluster.recover_swap(s.dbname());
    std::string tpl = ensure_template(s, h, v);
    db::ScratchDatabase scratch(cluster,
                                db::derived_name(s.dbname(), "__hop_apply"));
    cluster.clone(tpl, scratch.name());
    s.close_database();
    auto old = cluster.swap_in(scratch.name(), s.dbname());
    scratch.adopt();
    if (old) {
      s.after([&s, name = *old] { s.cluster().drop(name); });
    }
    result.development = true;
    return result;
  }
  // Production.
  std::string db = s.dbname();
  fs::path dir = backups_dir(s);
  auto all = list_backups(dir, db);
  std::optional<Backup> chosen;
  for (const auto& b : all) {
    if (b.release == v) {
      chosen = b; // the newest wins: the list is oldest first
    }
  }
  if (!chosen) {
    Error e = fatal("no backup of database '" + db + "' at release " + v.str());
    if (all.empty()) {
      e.detail("There is no backup of it in " + dir.string() + ".");
    } else {
      e.detail("Backups in " + dir.string() + ":");
      for (const auto& b : all) {
        e.detail("  " + b.path.filename().string());
      }
    }
    e.detail("Nothing was changed.");
    e.hint("'git hop upgrade' takes a backup before each upgrade.");
    throw e;
  }
  Lock lock = Lock::acquire(s.database_settings(), db, "restore",
                            project.config.deploy.lock_wait_ms, s.report());
  db::Cluster& cluster = s.cluster();
  auto refuse_sessions = [&] {
    auto sessions = cluster.sessions(db);
    std::erase_if(sessions, [](const db::SessionInfo& i) {
      return i.application.rfind("git-hop ", 0) == 0;
    });
    if (sessions.empty()) {
      return;
    }
    Error e =
        fatal("database '" + db + "' has " + std::to_string(sessions.size()) +
              " other session" + (sessions.size() == 1 ? "" : "s"));
    for (const auto& i : sessions) {
      e.detail("pid " + std::to_string(i.pid) + ": " + i.user + " from " +
               i.client +
               (i.application.empty() ? "" : " (" + i.application + ")") +
               ", since " + i.since);
    }
    e.detail("A database is restored only when nobody uses it. Nothing was "
             "changed.");
    e.hint("Stop the application, or end them: select "
           "pg_terminate_backend(pid) ...");
    throw e;
  };
  s.close_database();
  refuse_sessions();
  if (cluster.exists(db)) {
    auto conn = db::Connection::connect(s.database_settings().keywords());
    auto rec = meta::read_record(conn);
    result.from = rec.last();
    result.saved = take_backup(s.database_settings(), dir, result.from);
    s.report().progress("Backed up the current state to " +
                        result.saved->path.string() + ".");
  }
  db::ScratchDatabase scratch(cluster, db::derived_name(db, "__hop_restore"));
  cluster.drop(scratch.name());
  cluster.create_empty(scratch.name());
  s.report().progress("Restoring " + chosen->path.filename().string() +
                      " into '" + scratch.name() + "'.");
  restore_backup(*chosen, scratch.settings());
  {
    auto conn = db::Connection::connect(scratch.settings().keywords());
    auto at = meta::last_release(conn);
    if (at != v) {
      throw fatal("the backup '" + chosen->path.string() + "' holds release " +
                  (at ? at->str() : std::string("none")) + ", not " + v.str())
          .detail("Nothing was changed.");
    }
  }
  refuse_sessions();
  auto old = cluster.swap_in(scratch.name(), db, db::Sessions::refuse);
  scratch.adopt();
  if (old) {
    s.after([&s, name = *old] { s.cluster().drop(name); });
  }
  result.used = chosen;
  return result;
}

ProductionState production_state(Session& s)
{
  ProductionState st;
  std::string db = s.dbname();
  st.backups = list_backups(backups_dir(s), db);
  History h = read_history(s.repo());
  db::Cluster& cluster = s.cluster();
  if (!cluster.exists(db)) {
    st.database_missing = true;
    return st;
  }
  db::Connection& conn = s.database();
  meta::Record rec = meta::read_record(conn);
  st.tracked = rec.tracked;
  st.release = rec.last();
  st.interrupted = rec.upgrade;
  st.problems = record_problems(h, rec);
  if (st.release) {
    for (const auto* r : h.after(*st.release, std::nullopt)) {
      st.pending.push_back(r->version);
    }
    if (const Release* at = h.find(*st.release); at && !st.interrupted) {
      auto expected =
          s.repo().read_blob("refs/tags/" + at->version.str(),
                             snapshot::schema_file(at->version.str()));
      if (expected) {
        st.drift = snapshot::compare_schemas(
            *expected, snapshot::dump_schema(s.database_settings()),
            snapshot::schema_file(at->version.str()), "the database");
      }
    }
  }
  return st;
}

} // namespace hop::deploy
