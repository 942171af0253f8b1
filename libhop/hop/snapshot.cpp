#include "snapshot.hpp"

#include "error.hpp"
#include "output.hpp"
#include "process.hpp"
#include "sha256.hpp"

#include <sstream>

namespace hop::snapshot {

namespace {

// pg_dump >= 15.14 writes "\restrict <random key>"; a fixed key keeps the
// dump byte-identical. Older ones lack the option.
bool has_restrict_key()
{
  static const bool has = [] {
    process::Command cmd{{"pg_dump", "--help"}};
    auto r = process::run(cmd);
    return r.ok() && r.out.find("--restrict-key") != std::string::npos;
  }();
  return has;
}

std::string run_pg_dump(const ConnectionSettings& settings,
                        std::vector<std::string> args, const std::string& what)
{
  process::Command cmd;
  cmd.argv = {"pg_dump", "--no-owner", "--no-privileges", "--no-tablespaces"};
  if (has_restrict_key()) {
    cmd.argv.emplace_back("--restrict-key=githop");
  }
  for (auto& a : args) {
    cmd.argv.push_back(std::move(a));
  }
  cmd.env_set = settings.environment();
  cmd.clean_git_env = true;
  return normalize(process::run_checked(cmd, what).out);
}

} // namespace

std::string normalize(const std::string& dump)
{
  std::istringstream in(dump);
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("-- Dumped from database version", 0) == 0 ||
        line.rfind("-- Dumped by pg_dump version", 0) == 0) {
      continue;
    }
    out << line << '\n';
  }
  return out.str();
}

std::string dump_schema(const ConnectionSettings& settings)
{
  return run_pg_dump(settings, {"--schema-only"},
                     "cannot dump the schema of database '" +
                         settings.name.value_or("") + "'");
}

std::string dump_metadata(const ConnectionSettings& settings)
{
  return run_pg_dump(settings, {"--data-only", "--schema=half_orm_meta"},
                     "cannot dump the half_orm_meta rows of database '" +
                         settings.name.value_or("") + "'");
}

std::string schema_file(const std::string& version)
{
  return "model/schema-" + version + ".sql";
}

std::string metadata_file(const std::string& version)
{
  return "model/metadata-" + version + ".sql";
}

namespace {

db::Connection maintenance(const ConnectionSettings& settings)
{
  std::string error;
  for (const char* name : {"postgres", "template1"}) {
    ConnectionSettings s = settings;
    s.name = name;
    if (auto conn = db::Connection::try_connect(s.keywords(), &error)) {
      return std::move(*conn);
    }
  }
  throw fatal("cannot connect to the server of database '" +
              settings.name.value_or("") + "'")
      .detail(error)
      .detail("git-hop connects to the database 'postgres' (or 'template1') to "
              "create, clone and drop databases.");
}

} // namespace

Admin::Admin(const ConnectionSettings& settings)
    : m_settings(settings), m_conn(maintenance(settings))
{
}

ConnectionSettings Admin::settings_for(const std::string& db) const
{
  ConnectionSettings s = m_settings;
  s.name = db;
  return s;
}

bool Admin::exists(const std::string& db)
{
  return m_conn.query("select 1 from pg_database where datname = $1", {db})
             .rows() > 0;
}

void Admin::create(const std::string& db)
{
  m_conn.exec("create database " + m_conn.quote_ident(db));
}

void Admin::drop(const std::string& db)
{
  m_conn.exec("drop database if exists " + m_conn.quote_ident(db) +
              " with (force)");
}

void Admin::clone(const std::string& from, const std::string& to)
{
  drop(to);
  try {
    m_conn.exec("create database " + m_conn.quote_ident(to) + " template " +
                m_conn.quote_ident(from));
  } catch (const db::Error& e) {
    Error err = fatal("cannot copy database '" + from + "' to '" + to + "'");
    err.detail(e.what());
    for (const auto& d : e.details()) {
      err.detail(d);
    }
    if (e.sqlstate() == "55006") {
      err.hint("Close the other sessions on '" + from +
               "' (psql, your "
               "application...) and run the command again.");
    } else if (e.sqlstate() == "42501") {
      err.hint("git-hop needs the CREATEDB privilege: ALTER ROLE <you> "
               "CREATEDB.");
    }
    throw err;
  }
}

void Admin::replace(const std::string& scratch, const std::string& target)
{
  auto owner = m_conn.query("select pg_get_userbyid(datdba) from pg_database "
                            "where datname = $1",
                            {target});
  drop(target);
  m_conn.exec("alter database " + m_conn.quote_ident(scratch) + " rename to " +
              m_conn.quote_ident(target));
  if (owner.rows() > 0) {
    try {
      m_conn.exec("alter database " + m_conn.quote_ident(target) +
                  " owner to " + m_conn.quote_ident(owner.value(0, 0)));
    } catch (const db::Error& e) {
      output::warning("database '" + target +
                      "' is now owned by you, not by '" + owner.value(0, 0) +
                      "': " + e.what());
    }
  }
}

std::string Admin::ensure_template(const std::string& dbname,
                                   const std::string& version,
                                   const std::string& schema,
                                   const std::string& metadata)
{
  std::string name = derived_name(dbname, "__hop_" + version);
  std::string stamp = "git-hop template of " + dbname + " " + version +
                      " sha256:" + sha256_hex(schema + metadata);
  auto r = m_conn.query("select shobj_description(oid, 'pg_database') from "
                        "pg_database where datname = $1",
                        {name});
  if (r.rows() > 0 && r.get(0, 0) == stamp) {
    output::trace("db: template " + name + " is up to date");
    return name;
  }
  output::info("Building the template of release " + version + " ('" + name +
               "').");
  drop(name);
  m_conn.exec("create database " + m_conn.quote_ident(name) +
              " template template0");
  try {
    load_sql(settings_for(name), schema + metadata,
             "cannot load the baseline of release " + version);
    m_conn.exec("comment on database " + m_conn.quote_ident(name) + " is " +
                m_conn.query("select quote_literal($1)", {stamp}).value(0, 0));
  } catch (...) {
    drop(name);
    throw;
  }
  return name;
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

void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what)
{
  process::Command cmd{{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--single-transaction", "-f", "-"}};
  cmd.env_set = settings.environment();
  cmd.env_set["PGOPTIONS"] = "-c client_min_messages=warning";
  cmd.clean_git_env = true;
  cmd.input = sql;
  process::run_checked(cmd, what);
}

} // namespace hop::snapshot
