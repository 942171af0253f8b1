#include "runner.hpp"

#include "../db/connection.hpp"
#include "../error.hpp"
#include "../output.hpp"
#include "../process.hpp"
#include "../scratch.hpp"
#include "../templates.hpp"
#include "../testrun.hpp"
#include "statements.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <thread>

namespace hop::deploy {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start)
{
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// A statement that hit lock_timeout or a deadlock: the transaction is
// rolled back and tried again.
struct Retry
{
  std::string sqlstate;
  std::string where;
};

bool retryable(const std::string& sqlstate)
{
  return sqlstate == "55P03" || sqlstate == "40P01";
}

using Statement = sql::Statement;

// "<path>:<line>:<col>" of statement `st`, or of the server's error
// position inside it.
std::string where_of(const patches::Script& script, const Statement& st,
                     int position)
{
  sql::Position at = position > 0
                         ? sql::position_in(script.content, st, position)
                         : sql::Position{st.line, st.column};
  return script.path + ":" + std::to_string(at.line) + ":" +
         std::to_string(at.column);
}

[[noreturn]] void script_failed(const std::string& where, const db::Error& e,
                                const Options& o)
{
  Error err = fatal(where + ": " + e.what());
  for (const auto& d : e.details()) {
    err.detail(d);
  }
  if (!o.nothing_changed.empty()) {
    err.detail(o.nothing_changed);
  }
  for (const auto& h : e.hints()) {
    err.hint(h);
  }
  throw err;
}

const Config& config_of(const Options& o)
{
  static const Config defaults;
  return o.project ? o.project->config : defaults;
}

Reporter& reporter_of(const Options& o)
{
  return o.reporter ? *o.reporter : null_reporter();
}

// Send one statement. Lock timeouts and deadlocks become Retry; other
// errors name the script's line.
void exec_statement(db::Connection& conn, const patches::Script& script,
                    const Statement& st, const Options& o, bool in_block)
{
  std::string_view text = st.text(script.content);
  try {
    conn.exec(text);
  } catch (const db::Error& e) {
    if (retryable(e.sqlstate())) {
      throw Retry{e.sqlstate(), where_of(script, st, 0)};
    }
    script_failed(where_of(script, st, e.position()), e, o);
  }
  script.content.release_before(st.offset + st.length);
  if (in_block && !conn.in_transaction()) {
    throw fatal(script.path + ": the script ended git-hop's transaction")
        .detail("A script runs inside the release's transaction: it must "
                "not COMMIT, ROLLBACK or END it.")
        .detail("What ran before the end of the transaction may be "
                "committed; check the database.")
        .hint("Remove the transaction control from the script; git-hop "
              "commits the release when every script succeeded.");
  }
}

// The delay before attempt `attempt` (2, 3...): exponential, capped,
// with jitter so that two deployers do not retry in step.
std::chrono::milliseconds backoff(int attempt)
{
  static std::mt19937 rng{std::random_device{}()};
  double base = std::min(5000.0, 100.0 * std::pow(2.0, attempt - 2));
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return std::chrono::milliseconds(static_cast<long long>(base * jitter(rng)));
}

std::string seconds(long long ms)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  return buf;
}

[[noreturn]] void gave_up(const Retry& r, int attempts, const Options& o)
{
  const Config& c = config_of(o);
  Error e = fatal(r.where + ": " +
                  (r.sqlstate == "55P03"
                       ? "could not get a lock within lock_timeout (" +
                             seconds(c.deploy.lock_timeout_ms) + ")"
                       : std::string("deadlock")) +
                  ", " + std::to_string(attempts) + " times");
  e.detail("Another session holds a lock on a table this script changes; "
           "git-hop gave up rather than make the traffic queued behind it "
           "wait.");
  if (!o.nothing_changed.empty()) {
    e.detail(o.nothing_changed);
  }
  e.hint("Find the session with: select pid, state, xact_start, query from "
         "pg_stat_activity where pid in (select pid from pg_locks where not "
         "granted or locktype = 'relation');");
  e.hint("Then run the command again, or raise [deploy] lock_timeout or "
         "lock_retries in .hop/config.");
  throw e;
}

// Run `body` in a transaction under lock_timeout, retrying the whole
// transaction when a statement hits it. Returns the attempts it took.
template <typename Body>
int transaction(db::Connection& conn, const Options& o, Body&& body)
{
  const Config& c = config_of(o);
  for (int attempt = 1;; ++attempt) {
    try {
      db::Transaction tx(conn);
      conn.exec("set local lock_timeout = " +
                std::to_string(c.deploy.lock_timeout_ms));
      body();
      tx.commit();
      return attempt;
    } catch (const Retry& r) {
      if (attempt > c.deploy.lock_retries) {
        gave_up(r, attempt, o);
      }
      auto delay = backoff(attempt + 1);
      reporter_of(o).progress(
          r.where + ": " +
          (r.sqlstate == "55P03" ? "lock_timeout" : std::string("deadlock")) +
          "; the transaction is rolled back and tried again in " +
          seconds(delay.count()) + " (" + std::to_string(attempt) + " of " +
          std::to_string(c.deploy.lock_retries) + ")");
      std::this_thread::sleep_for(delay);
    }
  }
}

// Run a .py script through the bootstrap templates/deploy/run_script.py:
// its work on the target through psycopg2 (half_orm's included) and its
// record commit together. Returns whether the bootstrap recorded it (a
// script that never connected is recorded by the caller).
bool run_python(db::Connection& conn, const Step& step,
                const patches::Script& script, const Target& target,
                const Options& o)
{
  if (!o.project) {
    HOP_BUG("a .py script without a project");
  }
  const Version& v = step.release->version;
  TempDir conf("git-hop-conf");
  process::Command cmd{{testrun::interpreter(o.project->config), "-c",
                        read_template("deploy/run_script.py"), script.path}};
  cmd.cwd = step.code_root.string();
  cmd.env_set = connection_environment(*o.project, target.settings, conf.path(),
                                       step.code_root);
  cmd.env_set["GIT_HOP_RECORD"] =
      std::to_string(v.major) + "\t" + std::to_string(v.minor) + "\t" +
      std::to_string(v.patch) + "\t" + script.path + "\t" + script.sha256;
  cmd.clean_git_env = true;
  auto r = process::run(cmd);
  if (!r.out.empty()) {
    reporter_of(o).verbose(r.out);
  }
  if (!r.ok()) {
    Error e = fatal(script.path + ": " + r.describe());
    for (const auto& line : process::last_lines(r.err, 20)) {
      e.detail(line);
    }
    if (!o.nothing_changed.empty()) {
      e.detail(o.nothing_changed);
    }
    throw e;
  }
  return conn.query("select 1 from half_orm_meta.hop_script where major = $1 "
                    "and minor = $2 and patch = $3 and path = $4",
                    {std::to_string(v.major), std::to_string(v.minor),
                     std::to_string(v.patch), script.path})
             .rows() > 0;
}

// Run every statement of one transactional script (in the caller's
// transaction, which records it). Returns its duration.
double run_sql_in_block(db::Connection& conn, const patches::Script& script,
                        const ParsedScript& parsed, const Options& o)
{
  reporter_of(o).progress("+ " + script.name);
  auto start = Clock::now();
  for (const auto& st : parsed.script.statements) {
    exec_statement(conn, script, st, o, true);
  }
  return ms_since(start);
}

// A release in one transaction: its scripts, then their rows (one
// statement) and the release's row, all committed with the scripts.
void run_step_in_block(db::Connection& conn, const Step& step,
                       const std::vector<ParsedScript>& parsed,
                       const Options& o, StepRun& run)
{
  const patches::Release& rel = *step.release;
  auto start = Clock::now();
  run.scripts.clear();
  std::vector<meta::ScriptDone> done;
  done.reserve(rel.scripts.size());
  for (size_t i = 0; i < rel.scripts.size(); ++i) {
    const patches::Script& script = rel.scripts[i];
    double ms = run_sql_in_block(conn, script, parsed[i], o);
    done.push_back({script.path, script.sha256, ms});
    run.scripts.push_back({script.path, ms, false});
  }
  meta::record_scripts(conn, rel.version, done);
  meta::record_release(conn, rel.version, rel.message, step.commit);
  run.ms = ms_since(start);
}

// An index a killed CREATE INDEX CONCURRENTLY left: valid (built, not
// recorded: nothing to do), invalid (dropped, to be built again) or absent.
bool concurrent_index_done(db::Connection& conn, const sql::Name& index)
{
  auto r = conn.query("select i.indisvalid from pg_index i where "
                      "i.indexrelid = to_regclass($1)",
                      {index.quoted()});
  if (r.rows() == 0) {
    return false;
  }
  if (r.value(0, 0) == "t") {
    return true;
  }
  output::trace("deploy: dropping the invalid index " + index.text());
  conn.exec("drop index concurrently if exists " + index.quoted());
  return false;
}

// A script whose statements cannot run in a transaction block: one at a
// time, each recorded as done, resuming after `done` of them.
void run_outside_block(db::Connection& conn, const patches::Script& script,
                       const ParsedScript& parsed, const Version& v, int done,
                       const Options& o, std::vector<ScriptRun>& runs)
{
  const Config& c = config_of(o);
  reporter_of(o).progress("+ " + script.name + " (outside a transaction)");
  auto start = Clock::now();
  conn.exec("set lock_timeout = " + std::to_string(c.deploy.lock_timeout_ms));
  const auto& statements = parsed.script.statements;
  for (size_t i = static_cast<size_t>(done); i < statements.size(); ++i) {
    const Statement& st = statements[i];
    auto st_start = Clock::now();
    bool already = st.concurrent_index() &&
                   concurrent_index_done(conn, *st.concurrent_index());
    for (int attempt = 1; !already; ++attempt) {
      try {
        exec_statement(conn, script, st, o, false);
        break;
      } catch (const Retry& r) {
        if (st.concurrent_index()) {
          concurrent_index_done(conn, *st.concurrent_index());
        }
        if (attempt > c.deploy.lock_retries) {
          gave_up(r, attempt, o);
        }
        std::this_thread::sleep_for(backoff(attempt + 1));
      }
    }
    meta::record_statements(conn, v, script.path, script.sha256,
                            static_cast<int>(i + 1), ms_since(st_start));
  }
  conn.exec("reset lock_timeout");
  runs.push_back({script.path, ms_since(start), done > 0});
}

const std::vector<meta::ScriptRow>* recorded_for(const Options& o,
                                                 const Version& v)
{
  if (!o.resume || !o.resume->upgrade || o.resume->upgrade->release != v) {
    return nullptr;
  }
  auto it = o.resume->pending_scripts.find(v);
  return it == o.resume->pending_scripts.end() ? nullptr : &it->second;
}

// What an interrupted run recorded of `script` (nullptr: nothing); fatal
// when it ran with another content.
const meta::ScriptRow*
recorded_row(const std::vector<meta::ScriptRow>* recorded, const Version& v,
             const patches::Script& script)
{
  const meta::ScriptRow* rec = nullptr;
  if (recorded) {
    for (const auto& r : *recorded) {
      rec = r.path == script.path ? &r : rec;
    }
  }
  if (rec && rec->sha256 != script.sha256) {
    throw fatal("release " + v.str() + ": '" + script.path +
                "' ran here with another content")
        .detail("sha256 recorded by the database: " + rec->sha256)
        .detail("sha256 of the release:           " + script.sha256)
        .detail("Nothing more was changed.");
  }
  return rec;
}

void run_python_step(Target& target, const Step& step,
                     const patches::Script& script, const Options& o,
                     StepRun& run)
{
  db::Connection& conn = *target.conn;
  reporter_of(o).progress("+ " + script.name);
  auto start = Clock::now();
  bool recorded_by_script = run_python(conn, step, script, target, o);
  double ms = ms_since(start);
  if (!recorded_by_script) {
    transaction(conn, o, [&] {
      meta::record_script(conn, step.release->version, script.path,
                          script.sha256, ms);
    });
  }
  run.scripts.push_back({script.path, ms, false});
}

// One script of a release that cannot be one transaction.
void run_part(Target& target, const Step& step, const patches::Script& script,
              const ParsedScript& parsed, const meta::ScriptRow* rec,
              const Options& o, StepRun& run)
{
  db::Connection& conn = *target.conn;
  const Version& v = step.release->version;
  int done = rec && rec->statements ? *rec->statements : 0;
  if (rec && (!rec->statements ||
              done >= static_cast<int>(parsed.script.statements.size()))) {
    run.scripts.push_back({script.path, 0, true}); // done before
    return;
  }
  if (script.kind == patches::Kind::py) {
    run_python_step(target, step, script, o, run);
  } else if (parsed.transactional) {
    double ms = 0;
    run.attempts =
        std::max(run.attempts, transaction(conn, o, [&] {
                   ms = run_sql_in_block(conn, script, parsed, o);
                   meta::record_script(conn, v, script.path, script.sha256, ms);
                 }));
    run.scripts.push_back({script.path, ms, false});
  } else {
    run_outside_block(conn, script, parsed, v, done, o, run.scripts);
  }
}

// A release that cannot be one transaction, behind an in-progress row.
void run_step_in_parts(Target& target, const Step& step,
                       const std::vector<ParsedScript>& parsed,
                       const Options& o, StepRun& run)
{
  db::Connection& conn = *target.conn;
  const patches::Release& rel = *step.release;
  auto start = Clock::now();
  const auto* recorded = recorded_for(o, rel.version);
  {
    meta::UpgradeRow row;
    row.release = rel.version;
    row.target = (o.target_version ? *o.target_version : rel.version).str();
    row.client = o.client;
    row.backup = o.backup;
    db::Transaction tx(conn);
    meta::begin_upgrade(conn, row);
    tx.commit();
  }
  for (size_t i = 0; i < rel.scripts.size(); ++i) {
    const patches::Script& script = rel.scripts[i];
    run_part(target, step, script, parsed[i],
             recorded_row(recorded, rel.version, script), o, run);
  }
  transaction(conn, o, [&] {
    meta::record_release(conn, rel.version, rel.message, step.commit);
    meta::end_upgrade(conn);
  });
  run.ms = ms_since(start);
}

} // namespace

bool transactional(const patches::Release& release,
                   const std::vector<ParsedScript>& parsed)
{
  for (size_t i = 0; i < release.scripts.size(); ++i) {
    if (release.scripts[i].kind != patches::Kind::sql ||
        !parsed[i].transactional) {
      return false;
    }
  }
  return true;
}

std::vector<StepRun> run(Target& target, const std::vector<Step>& steps,
                         const Options& o)
{
  // Every script is read before the first statement runs.
  std::vector<std::vector<ParsedScript>> owned(steps.size());
  std::vector<const std::vector<ParsedScript>*> parsed;
  bool all_in_block = true;
  for (size_t k = 0; k < steps.size(); ++k) {
    const Step& step = steps[k];
    if (!step.parsed) {
      owned[k] = parse_release(*step.release, o.nothing_changed);
    }
    parsed.push_back(step.parsed ? step.parsed : &owned[k]);
    all_in_block = all_in_block && transactional(*step.release, *parsed.back());
  }
  std::vector<StepRun> runs(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    runs[i].version = steps[i].release->version;
  }
  db::Connection& conn = *target.conn;
  if (all_in_block) {
    int attempts = transaction(conn, o, [&] {
      for (size_t i = 0; i < steps.size(); ++i) {
        run_step_in_block(conn, steps[i], *parsed[i], o, runs[i]);
      }
    });
    for (auto& r : runs) {
      r.attempts = attempts;
    }
    return runs;
  }
  for (size_t i = 0; i < steps.size(); ++i) {
    bool block = transactional(*steps[i].release, *parsed[i]);
    if (block && !recorded_for(o, steps[i].release->version)) {
      runs[i].attempts = transaction(conn, o, [&] {
        run_step_in_block(conn, steps[i], *parsed[i], o, runs[i]);
      });
    } else {
      run_step_in_parts(target, steps[i], *parsed[i], o, runs[i]);
    }
  }
  return runs;
}

} // namespace hop::deploy
