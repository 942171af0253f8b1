#include "cluster.hpp"

#include "../error.hpp"
#include "../output.hpp"
#include "../process.hpp"
#include "../sha256.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace hop::db {

namespace {

Connection maintenance(const ConnectionSettings& settings)
{
  std::string error;
  for (const char* name : {"postgres", "template1"}) {
    ConnectionSettings s = settings;
    s.name = name;
    if (auto conn = Connection::try_connect(s.keywords(), &error)) {
      return std::move(*conn);
    }
  }
  throw fatal("cannot connect to the server of database '" +
              settings.name.value_or("") + "'")
      .detail(error)
      .detail("git-hop connects to the database 'postgres' (or 'template1') to "
              "create, clone and drop databases.");
}

// How CREATE DATABASE copies a template. WAL_LOG, PostgreSQL 15's default,
// writes every page of the template to WAL; FILE_COPY copies its files and
// waits for two checkpoints. Without fsync a checkpoint costs little and
// FILE_COPY is the quicker (bench/apply: 0.56-0.87 x WAL_LOG at 10 and 200
// tables); with fsync each checkpoint waits for the disk and WAL_LOG is the
// quicker (FILE_COPY 5.9-7.6 x). Before 15, there is no choice.
std::string copy_strategy(Connection& conn)
{
  if (conn.server_version() < 150000) {
    return "";
  }
  bool fsync =
      conn.query("select current_setting('fsync')::bool").value(0, 0) == "t";
  return fsync ? "" : " strategy file_copy";
}

} // namespace

Cluster::Cluster(const ConnectionSettings& settings)
    : m_settings(settings), m_conn(maintenance(settings))
{
}

ConnectionSettings Cluster::settings_for(const std::string& db) const
{
  ConnectionSettings s = m_settings;
  s.name = db;
  return s;
}

bool Cluster::exists(const std::string& db)
{
  return m_conn.query("select 1 from pg_database where datname = $1", {db})
             .rows() > 0;
}

void Cluster::create(const std::string& db)
{
  m_conn.exec("create database " + m_conn.quote_ident(db));
}

void Cluster::create_empty(const std::string& db)
{
  m_conn.exec("create database " + m_conn.quote_ident(db) +
              " template template0");
}

void Cluster::drop(const std::string& db)
{
  m_conn.exec("drop database if exists " + m_conn.quote_ident(db) +
              " with (force)");
}

void Cluster::drop_detached(const std::vector<std::string>& dbs)
{
  if (dbs.empty()) {
    return;
  }
  // Unmarked by "[pid N]": end_orphans() leaves the child's session alone
  // once git-hop is gone.
  m_conn.query("select set_config('application_name', 'git-hop drop', false)");
  m_conn.send("drop database if exists " + m_conn.quote_ident(dbs.front()) +
              " with (force)");
  auto finish = [&] {
    for (size_t i = 0; i < dbs.size(); ++i) {
      try {
        if (i == 0) {
          m_conn.wait_sent();
        } else {
          drop(dbs[i]);
        }
      } catch (const Error& e) {
        output::trace("db: cannot drop '" + dbs[i] + "': " + e.what());
      }
    }
  };
  long pid = process::detach(m_conn.socket(), finish);
  if (pid < 0) {
    finish();
    return;
  }
  std::string names;
  for (const auto& db : dbs) {
    names += (names.empty() ? "'" : ", '") + db + "'";
  }
  output::trace("db: dropping " + names + " in the background (pid " +
                std::to_string(pid) + ")");
  m_conn.abandon();
}

void Cluster::clone(const std::string& from, const std::string& to)
{
  start_clone(from, to);
  finish_clone();
}

void Cluster::start_clone(const std::string& from, const std::string& to)
{
  drop(to);
  m_cloning = {from, to};
  m_conn.send("create database " + m_conn.quote_ident(to) + " template " +
              m_conn.quote_ident(from) + copy_strategy(m_conn));
}

void Cluster::finish_clone()
{
  if (!m_cloning) {
    HOP_BUG("finish_clone() without start_clone()");
  }
  auto [from, to] = *m_cloning;
  m_cloning.reset();
  try {
    m_conn.wait_sent();
  } catch (const Error& e) {
    hop::Error err =
        fatal("cannot copy database '" + from + "' to '" + to + "'");
    err.detail(e.what());
    for (const auto& d : e.details()) {
      err.detail(d);
    }
    if (e.sqlstate() == "55006") {
      err.hint("Close the other sessions on '" + from +
               "' (psql, your application...) and run the command again.");
    } else if (e.sqlstate() == "42501") {
      err.hint("git-hop needs the CREATEDB privilege: ALTER ROLE <you> "
               "CREATEDB.");
    }
    throw err;
  }
}

void Cluster::rename(const std::string& from, const std::string& to)
{
  m_conn.exec("alter database " + m_conn.quote_ident(from) + " rename to " +
              m_conn.quote_ident(to));
}

std::string Cluster::old_name(const std::string& target)
{
  return derived_name(target, "__hop_old");
}

void Cluster::rename_away(const std::string& from, const std::string& to,
                          Sessions sessions)
{
  // A database is renamed only without sessions: end them (as DROP ...
  // WITH (FORCE) does), and wait for them to go, a few seconds at most.
  for (int attempt = 0;; ++attempt) {
    if (sessions == Sessions::end) {
      m_conn.query("select pg_terminate_backend(pid) from pg_stat_activity "
                   "where datname = $1 and pid <> pg_backend_pid()",
                   {from});
    }
    try {
      rename(from, to);
      return;
    } catch (const Error& e) {
      if (e.sqlstate() != "55006" || attempt >= 50) {
        throw;
      }
      if (sessions == Sessions::refuse) {
        throw fatal("cannot rename database '" + from +
                    "': other sessions are connected to it")
            .detail(e.what())
            .detail("Nothing was changed.");
      }
    }
    m_conn.exec("select pg_sleep(0.1)");
  }
}

std::optional<std::string> Cluster::swap_in(const std::string& scratch,
                                            const std::string& target,
                                            Sessions sessions)
{
  auto owner = m_conn.query("select pg_get_userbyid(datdba) from pg_database "
                            "where datname = $1",
                            {target});
  std::optional<std::string> old;
  if (owner.rows() > 0) {
    old = old_name(target);
    drop(*old); // a leftover of an earlier, interrupted run
    // Sessions on the old database would stop the rename: they are ended,
    // as DROP ... WITH (FORCE) would.
    rename_away(target, *old, sessions);
  }
  output::trace("db: swap " + scratch + " -> " + target);
  rename(scratch, target);
  if (owner.rows() > 0) {
    try {
      m_conn.exec("alter database " + m_conn.quote_ident(target) +
                  " owner to " + m_conn.quote_ident(owner.value(0, 0)));
    } catch (const Error& e) {
      output::trace("db: cannot give '" + target + "' back to '" +
                    owner.value(0, 0) + "': " + e.what());
    }
  }
  return old;
}

bool Cluster::recover_swap(const std::string& target)
{
  std::string old = old_name(target);
  if (exists(target) || !exists(old)) {
    return false;
  }
  rename(old, target);
  return true;
}

namespace {

bool process_alive(long pid)
{
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

} // namespace

void Cluster::end_orphans()
{
  // Sessions named by a git-hop of this machine (same client address, or
  // the Unix socket) whose process is gone: a statement of a killed
  // git-hop still running (CREATE DATABASE ... TEMPLATE goes on after its
  // client died), which would race with what comes next.
  auto r = m_conn.query(
      "select pid, substring(application_name from '\\[pid ([0-9]+)\\]$') "
      "from pg_stat_activity where pid <> pg_backend_pid() and "
      "application_name ~ '^git-hop .*\\[pid [0-9]+\\]$' and "
      "client_addr is not distinct from inet_client_addr()");
  std::vector<std::string> ended;
  for (int i = 0; i < r.rows(); ++i) {
    long client = std::strtol(r.value(i, 1).c_str(), nullptr, 10);
    if (client == static_cast<long>(::getpid()) || process_alive(client)) {
      continue;
    }
    m_conn.query("select pg_terminate_backend($1::int)", {r.value(i, 0)});
    output::trace("db: ended server process " + r.value(i, 0) +
                  " of git-hop pid " + r.value(i, 1) + ", which is gone");
    ended.push_back(r.value(i, 0));
  }
  for (int attempt = 0; !ended.empty() && attempt < 100; ++attempt) {
    std::string array = "{";
    for (size_t i = 0; i < ended.size(); ++i) {
      array += (i ? "," : "") + ended[i];
    }
    array += "}";
    if (m_conn
            .query("select 1 from pg_stat_activity where pid = "
                   "any($1::int[])",
                   {array})
            .rows() == 0) {
      break;
    }
    m_conn.exec("select pg_sleep(0.05)");
  }
}

std::vector<std::string> Cluster::sweep(const std::string& target)
{
  end_orphans();
  if (recover_swap(target)) {
    output::trace("db: '" + target + "' renamed back from '" +
                  old_name(target) + "' (an interrupted swap)");
  }
  std::vector<std::string> dropped;
  for (const auto& name : existing_databases(m_conn, scratch_names(target))) {
    drop(name);
    output::trace("db: dropped '" + name + "', left by an interrupted git-hop");
    dropped.push_back(name);
  }
  return dropped;
}

std::vector<std::string> Cluster::scratch_names(const std::string& target)
{
  static constexpr const char* k_suffixes[] = {
      "__hop_apply", "__hop_build", "__hop_check", "__hop_test", "__hop_old"};
  std::vector<std::string> names;
  names.reserve(std::size(k_suffixes));
  for (const char* suffix : k_suffixes) {
    names.push_back(derived_name(target, suffix));
  }
  return names;
}

std::vector<std::string>
existing_databases(Connection& conn, const std::vector<std::string>& names)
{
  std::string array = text_array(names);
  auto r = conn.query(
      "select d.datname from pg_database d where d.datname = "
      "any($1::text[]) and not exists (select from pg_locks l where "
      "l.locktype = 'object' and l.classid = 'pg_database'::regclass and "
      "l.objid = d.oid and l.mode = 'AccessExclusiveLock' and "
      "l.pid <> pg_backend_pid()) order by d.datname",
      {array});
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(r.value(i, 0));
  }
  return out;
}

std::optional<std::string> Cluster::comment(const std::string& db)
{
  auto r = m_conn.query("select shobj_description(oid, 'pg_database') from "
                        "pg_database where datname = $1",
                        {db});
  return r.rows() > 0 ? r.get(0, 0) : std::nullopt;
}

void Cluster::set_comment(const std::string& db, const std::string& text)
{
  std::string literal =
      m_conn.query("select quote_literal($1)", {text}).value(0, 0);
  m_conn.exec("comment on database " + m_conn.quote_ident(db) + " is " +
              literal);
}

std::map<std::string, std::optional<std::string>>
Cluster::comments(const std::vector<std::string>& names)
{
  std::string array = text_array(names);
  auto r = m_conn.query(
      "select datname, shobj_description(oid, 'pg_database') from pg_database "
      "where datname = any($1::text[])",
      {array});
  std::map<std::string, std::optional<std::string>> out;
  for (int i = 0; i < r.rows(); ++i) {
    out[r.value(i, 0)] = r.get(i, 1);
  }
  return out;
}

std::vector<std::pair<std::string, std::optional<std::string>>>
Cluster::databases_with_prefix(const std::string& prefix)
{
  auto r = m_conn.query(
      "select datname, shobj_description(oid, 'pg_database') from pg_database "
      "where left(datname, length($1)) = $1 order by datname",
      {prefix});
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.emplace_back(r.value(i, 0), r.get(i, 1));
  }
  return out;
}

std::vector<SessionInfo> Cluster::sessions(const std::string& db)
{
  auto r = m_conn.query(
      "select pid, coalesce(usename, ''), coalesce(application_name, ''), "
      "coalesce(host(client_addr), 'local'), "
      "to_char(backend_start at time zone 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
      "from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() "
      "order by backend_start",
      {db});
  std::vector<SessionInfo> out;
  out.reserve(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({std::stoi(r.value(i, 0)), r.value(i, 1), r.value(i, 2),
                   r.value(i, 3), r.value(i, 4)});
  }
  return out;
}

ScratchDatabase::ScratchDatabase(Cluster& cluster, std::string name)
    : m_cluster(&cluster), m_name(std::move(name))
{
}

ScratchDatabase::ScratchDatabase(ScratchDatabase&& other) noexcept
    : m_cluster(other.m_cluster)
    , m_name(std::move(other.m_name))
    , m_adopted(other.m_adopted)
{
  other.m_adopted = true;
}

ScratchDatabase::~ScratchDatabase()
{
  if (!m_adopted) {
    try {
      drop();
    } catch (const std::exception& e) {
      output::trace(std::string("db: cannot drop scratch database: ") +
                    e.what());
    }
  }
}

void ScratchDatabase::drop()
{
  m_adopted = true;
  m_cluster->drop(m_name);
}

std::string derived_name(const std::string& dbname, const std::string& suffix)
{
  constexpr size_t k_max = 63;
  if (dbname.size() + suffix.size() <= k_max) {
    return dbname + suffix;
  }
  std::string hash = sha256_hex(dbname).substr(0, 8);
  size_t keep = k_max - suffix.size() - hash.size() - 1;
  // Do not cut a UTF-8 sequence.
  while (keep > 0 &&
         (static_cast<unsigned char>(dbname[keep]) & 0xC0) == 0x80) {
    --keep;
  }
  return dbname.substr(0, keep) + "_" + hash + suffix;
}

} // namespace hop::db
