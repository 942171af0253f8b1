// The session of one git-hop command: what it works on, found once and
// opened lazily (git's RUN_SETUP). main builds it from the command table's
// needs and hands it to the command; libhop entry points take it instead
// of rediscovering the repository and reconnecting.
//
//   Session s(cwd, reporter);
//   s.require(Needs::devel);          // project + repository + devel mode
//   s.repo().status();                // discovered once
//   s.database().query(...);          // connected on first use
//   s.cluster().clone(...);           // maintenance connection, once
//
// Connections and the repository live as long as the session. Databases
// given to drop_after() are dropped when it ends, once the result is out,
// e.g. the database an apply replaced.
#pragma once

#include "connection.hpp"
#include "project.hpp"
#include "report.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hop::git {
class Repository;
}
namespace hop::db {
class Connection;
class Cluster;
} // namespace hop::db

namespace hop {

// What a command needs before it runs; each implies the ones before.
enum class Needs {
  nothing,    // runs anywhere (new, hooks run)
  project,    // a git-hop project (.hop/config)
  repository, // ... in a git repository
  devel,      // ... in devel mode, on a development database
};

class Session {
public:
  Session(std::filesystem::path cwd, Reporter& reporter);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // What the command needs: checked on the first use of the session
  // (fatal errors with hints when it is missing: not a project, not a
  // repository, not devel), after the command parsed its options.
  void expect(Needs needs, const std::string& command);

  const std::filesystem::path& cwd() const { return m_cwd; }
  Reporter& report() { return *m_reporter; }

  // The project around cwd (loaded on first use).
  const Project& project();
  // The project's git repository (discovered on first use; fatal when
  // there is none).
  git::Repository& repo();
  bool has_repo();

  // The project's database: its name, its settings, a connection opened
  // on first use, and the maintenance connection of its server.
  std::string dbname();
  ConnectionSettings database_settings();
  db::Connection& database();
  db::Cluster& cluster();
  // Close the connection to the project's database (before it is renamed
  // or dropped).
  void close_database();

  // Drop database `db` when the session ends, after the result is out:
  // in the background, so that git-hop's exit does not wait for it
  // (db::Cluster::drop_detached()).
  void drop_after(std::string db);

private:
  void setup();

  std::filesystem::path m_cwd;
  Reporter* m_reporter;
  Needs m_needs = Needs::nothing;
  std::string m_command;
  bool m_set_up = false;
  std::optional<Project> m_project;
  std::unique_ptr<git::Repository> m_repo;
  bool m_repo_looked_up = false;
  std::unique_ptr<db::Connection> m_db;
  std::unique_ptr<db::Cluster> m_cluster;
  std::vector<std::string> m_drops;
};

// The one refusal for commands that change a development database, run
// against a project whose connection file says 'production = True'.
[[noreturn]] void refuse_production(const Project& project,
                                    const std::string& command);
// The one refusal for commands that need devel mode.
[[noreturn]] void refuse_sync_only(const std::string& command);

} // namespace hop
