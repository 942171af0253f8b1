#include "lock.hpp"

#include "../db/connection.hpp"
#include "../error.hpp"
#include "../output.hpp"
#include "../sha256.hpp"

#include <unistd.h>

#include <chrono>
#include <thread>

namespace hop::deploy {

namespace {

// pg_advisory_lock(int4, int4): a fixed first key for git-hop, the second
// from the database name.
constexpr const char* k_class = "1752133744"; // "hopp" as an int4

std::string key_of(const std::string& dbname)
{
  std::string hex = sha256_hex("git-hop lock:" + dbname).substr(0, 8);
  auto value = static_cast<int32_t>(std::stoul(hex, nullptr, 16));
  return std::to_string(value);
}

db::Connection connect_lock(const ConnectionSettings& settings,
                            const std::string& application)
{
  std::string error;
  for (const char* name : {"postgres", "template1"}) {
    ConnectionSettings s = settings;
    s.name = name;
    auto keywords = s.keywords();
    keywords["application_name"] = application;
    if (auto conn = db::Connection::try_connect(keywords, &error)) {
      return std::move(*conn);
    }
  }
  throw fatal("cannot connect to the server of database '" +
              settings.name.value_or("") + "' to take git-hop's lock")
      .detail(error);
}

std::string describe_holder(db::Connection& conn, const std::string& key)
{
  auto r = conn.query(
      "select a.pid, coalesce(a.application_name, ''), "
      "to_char(a.backend_start at time zone 'UTC', "
      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(a.usename, ''), "
      "coalesce(host(a.client_addr), 'local') "
      "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
      "where l.locktype = 'advisory' and l.granted and "
      "l.database = (select oid from pg_database where datname = "
      "current_database()) and l.classid::bigint = $1::int4::bigint & "
      "4294967295 and l.objid::bigint = $2::int4::bigint & 4294967295 and "
      "l.objsubid = 2",
      {std::string(k_class), key});
  if (r.rows() == 0) {
    return "";
  }
  std::string app = r.value(0, 1).empty() ? "a session" : r.value(0, 1);
  return app + " (server pid " + r.value(0, 0) + ", user " + r.value(0, 3) +
         ", from " + r.value(0, 4) + ", since " + r.value(0, 2) + ")";
}

} // namespace

Lock::Lock(std::unique_ptr<db::Connection> conn) : m_conn(std::move(conn)) {}
Lock::Lock(Lock&&) noexcept = default;
Lock& Lock::operator=(Lock&&) noexcept = default;
Lock::~Lock() = default; // closing the connection releases the lock

Lock Lock::acquire(const ConnectionSettings& settings,
                   const std::string& dbname, const std::string& command,
                   long long wait_ms, Reporter& reporter)
{
  std::string app =
      "git-hop " + command + " [pid " + std::to_string(getpid()) + "]";
  // Every connection of this git-hop is named after it from now on.
  db::set_application_name(app);
  auto conn = std::make_unique<db::Connection>(connect_lock(settings, app));
  std::string key = key_of(dbname);
  auto start = std::chrono::steady_clock::now();
  bool told = false;
  for (;;) {
    auto r = conn->query("select pg_try_advisory_lock($1::int4, $2::int4)",
                         {std::string(k_class), key});
    if (r.value(0, 0) == "t") {
      output::trace("deploy: locked '" + dbname + "'");
      return Lock(std::move(conn));
    }
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
    std::string who = describe_holder(*conn, key);
    if (waited >= wait_ms) {
      throw fatal("database '" + dbname +
                  "' is busy: another git-hop is "
                  "working on it")
          .detail("Held by " + (who.empty() ? std::string("a session") : who) +
                  ".")
          .detail("Waited " + std::to_string(waited / 1000) +
                  " s; nothing was changed.")
          .hint("Wait for it to finish, or give more time with --lock-wait "
                "<seconds> (or [deploy] lock_wait in .hop/config).");
    }
    if (!told) {
      reporter.progress("Waiting for " +
                        (who.empty() ? std::string("another git-hop") : who) +
                        " to release database '" + dbname + "'.");
      told = true;
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::min<long long>(200, wait_ms - waited)));
  }
}

std::string Lock::holder(const ConnectionSettings& settings,
                         const std::string& dbname)
{
  auto conn = connect_lock(settings, "git-hop status");
  return describe_holder(conn, key_of(dbname));
}

} // namespace hop::deploy
