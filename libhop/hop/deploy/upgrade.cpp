#include "upgrade.hpp"

#include "../db/cluster.hpp"
#include "../db/connection.hpp"
#include "../error.hpp"
#include "../git/repository.hpp"
#include "../json.hpp"
#include "../notes.hpp"
#include "../output.hpp"
#include "../scratch.hpp"
#include "../session.hpp"
#include "../snapshot.hpp"
#include "history.hpp"
#include "lock.hpp"
#include "statements.hpp"
#include "templates.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
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

// The command that fetches every release from origin: the branch, the
// tags and the notes.
std::string fetch_releases()
{
  return std::string("git fetch origin ") + k_main_branch + " --tags " +
         notes::k_ref + ":" + notes::k_ref;
}

[[noreturn]] void refuse_record(const std::string& db,
                                const std::vector<std::string>& problems)
{
  Error e = fatal("database '" + db + "' does not agree with the repository");
  for (const auto& p : problems) {
    e.detail(p);
  }
  e.detail("Nothing was changed.");
  e.hint("Fetch the releases ('" + fetch_releases() +
         "') if the repository is behind; a script or row changed after it "
         "ran is tampering: find out who changed it before going on.");
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

// A restore killed between its two renames left the database under its
// renamed-away name: rename it back (the caller holds the lock).
void rename_back_after_restore(Session& s)
{
  std::string db = s.dbname();
  if (s.cluster().recover_swap(db)) {
    s.report().progress("'" + db + "' renamed back from '" +
                        db::Cluster::old_name(db) +
                        "' (an interrupted restore).");
  }
}

} // namespace

fs::path backups_dir(Session& s)
{
  return s.project().root / "Backups";
}

namespace {

// One run of 'git hop upgrade': verify everything (read_repository,
// check_record, plan_releases, check_drift, check_locks), then act.
class Upgrade {
public:
  Upgrade(Session& s, const UpgradeOptions& o)
      : m_s(s), m_o(o), m_project(s.project()), m_repo(s.repo())
  {
  }

  UpgradeResult run()
  {
    auto start = Clock::now();
    if (!m_o.dry_run) {
      recover_interrupted_restore();
    }
    read_repository();
    check_record();
    plan_releases();
    UpgradePlan& plan = m_result.plan;
    // With releases to replay, drift is checked on the backup, under the
    // lock (the schema that is upgraded, one pg_dump fewer); else, and for
    // the plan, on the live database now.
    m_drift_after_backup =
        !m_o.dry_run && (!plan.releases.empty() || !plan.init.empty());
    if (!m_drift_after_backup) {
      check_drift(
          [&] { return snapshot::dump_schema(m_s.database_settings()); });
    }
    check_locks();
    if (m_o.dry_run) {
      return std::move(m_result);
    }
    if (!plan.refusals.empty()) {
      throw plan.refusals.front();
    }
    if (plan.releases.empty() && plan.init.empty()) {
      m_result.already = true;
      return std::move(m_result);
    }
    act();
    m_result.ms =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return std::move(m_result);
  }

private:
  const std::string& db() const { return m_result.plan.database; }

  void read_repository()
  {
    if (!m_project.connection.production) {
      refuse_development(m_project, "upgrade");
    }
    m_history = read_history_fetching_notes(m_repo, m_s.report());
    if (m_history.releases.empty()) {
      throw fatal("no release in the repository")
          .detail("A release is an annotated tag X.Y.Z on " +
                  std::string(k_main_branch) + " with its note in " +
                  notes::k_ref + ".")
          .hint("Fetch them: " + fetch_releases());
    }
    if (m_o.to && !m_history.find(*m_o.to)) {
      throw fatal("release " + m_o.to->str() +
                  " is not a release of this repository")
          .detail("Its last release is " + m_history.last()->str() + ".");
    }
    m_result.plan.database = m_s.dbname();
    for (const auto& t : m_history.stray) {
      m_result.plan.warnings.push_back("tag " + t.name +
                                       " is not a release: " + t.why);
    }
  }

  void check_record()
  {
    m_record = meta::read_record(m_s.database());
    if (!m_record.tracked) {
      check_untracked();
      return;
    }
    if (m_o.init) {
      throw fatal("database '" + db() + "' is already tracked (at " +
                  (m_record.last() ? m_record.last()->str()
                                   : std::string("no release")) +
                  ")")
          .hint("Run 'git hop upgrade' without --init.");
    }
    auto problems = record_problems(m_history, m_record);
    if (!problems.empty()) {
      refuse_record(db(), problems);
    }
    m_result.plan.from = m_record.last();
    if (!m_result.plan.from) {
      throw fatal("database '" + db() + "' records no release")
          .detail("Nothing was changed.");
    }
    m_result.plan.interrupted = m_record.upgrade;
  }

  void check_untracked()
  {
    if (!m_o.init) {
      throw fatal("database '" + db() +
                  "' has no half_orm_meta: git-hop does not know its release")
          .detail("Nothing was changed.")
          .hint("To start tracking it, run 'git hop upgrade --init': an "
                "empty database gets the first release's baseline, one that "
                "equals it is adopted.");
    }
    std::string live = snapshot::dump_schema(m_s.database_settings());
    if (schema_is_empty(live)) {
      m_result.plan.init = "empty";
      return;
    }
    const Release& first = m_history.releases.front();
    std::string file = snapshot::schema_file(first.version.str());
    auto diff =
        snapshot::compare_schemas(read_baseline_file(m_repo, first, file), live,
                                  file, "database '" + db() + "'");
    if (!diff.empty()) {
      Error e = fatal("database '" + db() +
                      "' is not empty and differs from the baseline of " +
                      first.version.str());
      for (const auto& d : diff) {
        e.detail(d);
      }
      e.detail("Nothing was changed.");
      e.hint("'upgrade --init' adopts an empty database or one whose schema "
             "equals " +
             file + ".");
      throw e;
    }
    m_result.plan.init = "adopt";
  }

  void plan_releases()
  {
    UpgradePlan& plan = m_result.plan;
    Version from = plan.from ? *plan.from : m_history.releases.front().version;
    if (m_o.to && *m_o.to < from) {
      throw fatal("database '" + db() + "' is at " + from.str() + ", past " +
                  m_o.to->str())
          .detail("An upgrade never goes back; 'git hop restore " +
                  m_o.to->str() + "' restores a backup.");
    }
    m_pending = m_history.after(from, m_o.to);
    auto sources =
        std::make_shared<std::vector<patches::Release>>(m_pending.size());
    m_result.sources = sources;
    m_scripts = sources.get();
    m_parsed.resize(m_pending.size());
    for (size_t i = 0; i < m_pending.size(); ++i) {
      plan.releases.push_back(
          plan_release(m_repo, *m_pending[i], (*m_scripts)[i], m_parsed[i]));
      plan.one_transaction =
          plan.one_transaction && transactional((*m_scripts)[i], m_parsed[i]);
    }
    plan.to = m_pending.empty() ? from : m_pending.back()->version;
    if (plan.interrupted &&
        (m_pending.empty() ||
         plan.interrupted->release != m_pending.front()->version)) {
      throw fatal("database '" + db() + "' records an interrupted upgrade of " +
                  plan.interrupted->release.str() +
                  " that is not the next release")
          .detail("It is at " + from.str() +
                  "; the interrupted upgrade began " +
                  plan.interrupted->started_at + " by " +
                  plan.interrupted->client + ".")
          .hint("Restore the backup taken before it: " +
                (plan.interrupted->backup.empty()
                     ? std::string("(none recorded)")
                     : plan.interrupted->backup));
    }
  }

  // The schema `live()` gives against the baseline of the release the
  // database records (not while an interrupted upgrade is half-way).
  void check_drift(const std::function<std::string()>& live)
  {
    UpgradePlan& plan = m_result.plan;
    if (!plan.from || plan.interrupted) {
      return;
    }
    const Release* at = m_history.find(*plan.from);
    std::string file = snapshot::schema_file(at->version.str());
    plan.drift =
        snapshot::compare_schemas(read_baseline_file(m_repo, *at, file), live(),
                                  file, "database '" + db() + "'");
    if (plan.drift.empty() || m_o.allow_drift) {
      return;
    }
    Error e = fatal("database '" + db() +
                    "' has drifted from the baseline of release " +
                    at->version.str());
    for (const auto& d : plan.drift) {
      e.detail(d);
    }
    e.detail("Nothing was changed.");
    e.hint("Someone changed the schema by hand. Put it back, or run again "
           "with --allow-drift to upgrade anyway.");
    plan.refusals.push_back(std::move(e));
  }

  // The lock report, against the database as it is now (a table a pending
  // release creates has no size yet).
  void check_locks()
  {
    UpgradePlan& plan = m_result.plan;
    long long limit = m_project.config.deploy.max_locked_rows;
    auto locks = lock_rows(*m_scripts, m_parsed, m_s.database());
    for (size_t i = 0; i < m_pending.size(); ++i) {
      plan.releases[i].locks = std::move(locks[i]);
      for (const auto& row : plan.releases[i].locks) {
        if (row.blocks(limit)) {
          plan.blocking.push_back(row);
        }
      }
    }
    if (plan.blocking.empty() || m_o.allow_blocking) {
      return;
    }
    Error e = fatal("an upgrade of '" + db() + "' would lock tables of more " +
                    "than " + std::to_string(limit) + " rows for long");
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

  // What the database records once the lock is held: another upgrade may
  // have run meanwhile. Returns false when there is nothing left to do.
  bool still_to_do()
  {
    meta::Record now = meta::read_record(m_s.database());
    if (now.tracked == m_record.tracked && now.last() == m_record.last() &&
        now.upgrade.has_value() == m_record.upgrade.has_value()) {
      return true;
    }
    auto again = record_problems(m_history, now);
    if (!again.empty()) {
      refuse_record(db(), again);
    }
    UpgradePlan& plan = m_result.plan;
    if (now.tracked && !now.upgrade &&
        (!now.last() || (plan.to && *now.last() >= *plan.to))) {
      m_result.already = true;
      plan.releases.clear();
      plan.from = now.last();
      return false;
    }
    throw fatal("database '" + db() +
                "' changed while git-hop waited for its lock")
        .detail("Nothing was changed.")
        .hint("Run 'git hop upgrade' again.");
  }

  // The steps of the pending releases; a release with .py scripts runs them
  // from an export of its tag's tree.
  std::vector<Step> steps(std::vector<std::unique_ptr<TempDir>>& exports)
  {
    std::vector<Step> out;
    for (size_t i = 0; i < m_pending.size(); ++i) {
      Step step{&(*m_scripts)[i], m_pending[i]->commit, m_project.root,
                &m_parsed[i]};
      bool python = std::any_of(step.release->scripts.begin(),
                                step.release->scripts.end(),
                                [](const patches::Script& sc) {
                                  return sc.kind == patches::Kind::py;
                                });
      if (python) {
        exports.push_back(std::make_unique<TempDir>("git-hop-export"));
        m_repo.export_tree("refs/tags/" + m_pending[i]->version.str(),
                           exports.back()->path());
        step.code_root = exports.back()->path();
      }
      out.push_back(step);
    }
    return out;
  }

  long long lock_wait() const
  {
    return m_o.lock_wait_ms ? *m_o.lock_wait_ms
                            : m_project.config.deploy.lock_wait_ms;
  }

  // A database that a killed restore left renamed away is renamed back,
  // under the lock, before anything reads it (status names the state and
  // this command as its repair). The lock only when it is so.
  void recover_interrupted_restore()
  {
    if (!m_project.connection.production) {
      return; // refused by read_repository(), before anything changes
    }
    std::string name = m_s.dbname();
    db::Cluster& cluster = m_s.cluster();
    if (cluster.exists(name) || !cluster.exists(db::Cluster::old_name(name))) {
      return;
    }
    Lock lock = Lock::acquire(m_s.database_settings(), name, "upgrade",
                              lock_wait(), m_s.report());
    rename_back_after_restore(m_s);
  }

  // Lock, check again, back up, run.
  void act()
  {
    UpgradePlan& plan = m_result.plan;
    Lock lock = Lock::acquire(m_s.database_settings(), db(), "upgrade",
                              lock_wait(), m_s.report());
    if (!still_to_do()) {
      return;
    }
    db::Connection& conn = m_s.database();
    m_result.backup =
        take_backup(m_s.database_settings(), backups_dir(m_s), plan.from);
    m_s.report().progress("Backed up '" + db() + "' to " +
                          m_result.backup->path.string() + ".");
    if (m_drift_after_backup) {
      check_drift(
          [&] { return snapshot::backup_schema(m_result.backup->path); });
      if (!plan.refusals.empty()) {
        // Refused: the backup just taken goes too (nothing was changed).
        remove_backup(*m_result.backup);
        m_result.backup.reset();
        throw plan.refusals.front();
      }
    }
    if (!plan.init.empty()) {
      init_database(m_s, m_history, conn, plan.init);
      m_record = meta::read_record(conn);
    } else {
      db::Transaction tx(conn);
      meta::migrate(conn);
      tx.commit();
    }
    std::vector<std::unique_ptr<TempDir>> exports;
    std::vector<Step> all = steps(exports);
    Target target{&conn, m_s.database_settings()};
    Options ro;
    ro.project = &m_project;
    ro.reporter = &m_s.report();
    ro.client = client_of("upgrade");
    ro.backup = m_result.backup->path.filename().string();
    ro.target_version = plan.to;
    ro.resume = &m_record;
    ro.nothing_changed =
        plan.one_transaction
            ? "Nothing was changed: the database is as it was before."
            : "The releases before it are applied; the next 'git hop "
              "upgrade' goes on from there. Backup: " +
                  m_result.backup->path.string();
    m_result.runs = deploy::run(target, all, ro);
  }

  Session& m_s;
  const UpgradeOptions& m_o;
  const Project& m_project;
  git::Repository& m_repo;
  History m_history;
  meta::Record m_record;
  std::vector<const Release*> m_pending;
  std::vector<patches::Release>* m_scripts = nullptr;
  std::vector<std::vector<ParsedScript>> m_parsed;
  UpgradeResult m_result;
  bool m_drift_after_backup = false;
};

} // namespace

UpgradeResult upgrade(Session& s, const UpgradeOptions& o)
{
  return Upgrade(s, o).run();
}

namespace {

// Each line of `content` after `prefix`, the text given back as it goes.
void indent(std::ostream& os, const Text& content, const std::string& prefix)
{
  std::string_view text = content.view();
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    os << prefix << text.substr(at, end - at) << "\n";
    if (end == std::string_view::npos) {
      break;
    }
    at = end + 1;
    content.release_before(at);
  }
}

} // namespace

namespace {

void release_text(std::ostream& os, const PlannedRelease& r)
{
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

std::string plan_summary(const UpgradePlan& p)
{
  std::string how;
  if (!p.releases.empty()) {
    how = p.one_transaction ? ", in one transaction"
                            : ", each release committed on its own";
  }
  return "Upgrade of '" + p.database + "' from " +
         (p.from ? p.from->str() : std::string("an untracked database")) +
         " to " + (p.to ? p.to->str() : std::string("?")) + ": " +
         std::to_string(p.releases.size()) +
         (p.releases.size() == 1 ? " release" : " releases") + how + ".\n";
}

} // namespace

void write_plan_text(std::ostream& os, const UpgradePlan& p)
{
  os << plan_summary(p);
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
    release_text(os, r);
  }
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
        w.key("sql").value_streamed(s.content);
      }
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array();
}

} // namespace

namespace {

void dry_run_json(json::Writer& w, const UpgradePlan& p,
                  const std::string& git_hop_version)
{
  w.begin_object().key("git_hop_version").value(git_hop_version);
  w.key("dry_run").value(true);
  plan_json(w, p);
  w.end_object();
}

} // namespace

void write_plan_json(std::ostream& os, const UpgradePlan& p,
                     const std::string& git_hop_version)
{
  json::Writer w(os);
  dry_run_json(w, p, git_hop_version);
  w.flush();
  os << "\n";
}

void write_result_json(std::ostream& os, const UpgradeResult& r,
                       const std::string& git_hop_version)
{
  json::Writer w(os);
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
  w.flush();
  os << "\n";
}

namespace {

// Development: the template of that release is the database at it.
RestoreResult restore_development(Session& s, const Version& v)
{
  const Project& project = s.project();
  if (!project.config.project.devel) {
    refuse_sync_only("git hop restore");
  }
  History h = read_history_fetching_notes(s.repo(), s.report());
  if (!h.find(v)) {
    Error e =
        fatal("release " + v.str() + " is not a release of this repository");
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
    s.drop_after(*old);
  }
  RestoreResult result;
  result.version = v;
  result.development = true;
  return result;
}

// The newest backup of `db` at `v` in `dir`; fatal, listing what there is,
// when there is none.
Backup choose_backup(const fs::path& dir, const std::string& db,
                     const Version& v)
{
  auto all = list_backups(dir, db);
  std::optional<Backup> chosen;
  for (const auto& b : all) {
    if (b.release == v) {
      chosen = b; // the newest wins: the list is oldest first
    }
  }
  if (chosen) {
    return *chosen;
  }
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

// Fatal, listing them, when sessions other than git-hop's are connected to
// `db`.
void refuse_sessions(db::Cluster& cluster, const std::string& db)
{
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
}

// `backup` restored into a scratch database, checked to hold release `v`.
db::ScratchDatabase restored_copy(Session& s, const Backup& backup,
                                  const Version& v)
{
  db::Cluster& cluster = s.cluster();
  db::ScratchDatabase scratch(cluster,
                              db::derived_name(s.dbname(), "__hop_restore"));
  cluster.drop(scratch.name());
  cluster.create_empty(scratch.name());
  s.report().progress("Restoring " + backup.path.filename().string() +
                      " into '" + scratch.name() + "'.");
  restore_backup(backup, scratch.settings());
  auto conn = db::Connection::connect(scratch.settings().keywords());
  auto at = meta::last_release(conn);
  if (at != v) {
    throw fatal("the backup '" + backup.path.string() + "' holds release " +
                (at ? at->str() : std::string("none")) + ", not " + v.str())
        .detail("Nothing was changed.");
  }
  return scratch;
}

RestoreResult restore_production(Session& s, const Version& v)
{
  std::string db = s.dbname();
  fs::path dir = backups_dir(s);
  Backup chosen = choose_backup(dir, db, v);
  Lock lock = Lock::acquire(s.database_settings(), db, "restore",
                            s.project().config.deploy.lock_wait_ms, s.report());
  db::Cluster& cluster = s.cluster();
  s.close_database();
  // First, to be backed up as the current state (then swapped out and
  // dropped, as always).
  rename_back_after_restore(s);
  refuse_sessions(cluster, db);
  RestoreResult result;
  result.version = v;
  if (cluster.exists(db)) {
    auto conn = db::Connection::connect(s.database_settings().keywords());
    result.from = meta::read_record(conn).last();
    result.saved = take_backup(s.database_settings(), dir, result.from);
    s.report().progress("Backed up the current state to " +
                        result.saved->path.string() + ".");
  }
  db::ScratchDatabase scratch = restored_copy(s, chosen, v);
  refuse_sessions(cluster, db);
  auto old = cluster.swap_in(scratch.name(), db, db::Sessions::refuse);
  scratch.adopt();
  if (old) {
    s.drop_after(*old);
  }
  result.used = chosen;
  return result;
}

} // namespace

RestoreResult restore(Session& s, const Version& v)
{
  return s.project().connection.production ? restore_production(s, v)
                                           : restore_development(s, v);
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
