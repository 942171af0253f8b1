// One git-hop at a time per database (design §6.1 step 3): a session-level
// pg_advisory_lock, taken on a connection of its own that never holds a
// transaction (so it never blocks CREATE INDEX CONCURRENTLY and dies with
// the process: nothing to unlock by hand), on the server's maintenance
// database (the target itself may be renamed or dropped while it is held).
#pragma once

#include "../connection.hpp"
#include "../report.hpp"

#include <memory>
#include <string>

namespace hop::db {
class Connection;
}

namespace hop::deploy {

class Lock {
public:
  // Take the lock of database `dbname` on the server of `settings`,
  // waiting at most `wait_ms` (progress reported once when it waits);
  // `command` ("apply", "upgrade"...) names this git-hop to others. Fatal
  // after the wait, naming the holder (its command, pid, since when).
  static Lock acquire(const ConnectionSettings& settings,
                      const std::string& dbname, const std::string& command,
                      long long wait_ms, Reporter& reporter);

  Lock(Lock&&) noexcept;
  Lock& operator=(Lock&&) noexcept;
  ~Lock();

  // Who holds the lock of `dbname` now, or "" when nobody.
  static std::string holder(const ConnectionSettings& settings,
                            const std::string& dbname);

private:
  explicit Lock(std::unique_ptr<db::Connection> conn);
  std::unique_ptr<db::Connection> m_conn;
};

} // namespace hop::deploy
