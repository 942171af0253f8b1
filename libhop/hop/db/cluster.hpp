// The databases of a PostgreSQL server, seen from a maintenance connection
// (database "postgres", else "template1"): create, clone, rename, drop,
// the sessions connected to a database. Needs the CREATEDB privilege.
//
//   db::Cluster cluster(settings);
//   db::ScratchDatabase scratch(cluster, "blog__hop_apply", "blog__hop_0.1.0");
//   ... build in scratch.name() ...
//   cluster.swap_in(scratch.name(), "blog");   // then
//   scratch.adopt();                           // it is not dropped
//
// Scratch databases drop themselves unless adopted, so a failed command
// leaves none behind; what a SIGKILL leaves is swept by sweep().
#pragma once

#include "../connection.hpp"
#include "connection.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hop::db {

// A session connected to a database (pg_stat_activity).
struct SessionInfo
{
  int pid = 0;
  std::string user;
  std::string application;
  std::string client; // address, or "local"
  std::string since;  // backend start, UTC
};

// What swap_in() does with sessions on the database it replaces.
enum class Sessions {
  end,    // terminate them (development: as DROP ... WITH (FORCE) would)
  refuse, // fail, changing nothing (production)
};

class Cluster {
public:
  explicit Cluster(const ConnectionSettings& settings);

  bool exists(const std::string& db);
  // CREATE DATABASE `db` (empty, from template1).
  void create(const std::string& db);
  // CREATE DATABASE `db` TEMPLATE template0 (for loading dumps).
  void create_empty(const std::string& db);
  // DROP DATABASE IF EXISTS ... WITH (FORCE).
  void drop(const std::string& db);
  // drop() each of `dbs`, finished by a child after git-hop exits
  // (process::detach()), so that the command's end does not wait for them
  // (a DROP waits for a checkpoint when the server runs with fsync). The
  // first DROP is sent before the child starts: a git-hop started after
  // this one sees it under way (its lock; existing_databases() leaves it
  // out, a DROP of the same name waits for it). A kill leaves what a
  // killed drop() leaves, which sweep() finds. The cluster is unusable
  // after: call it last.
  void drop_detached(const std::vector<std::string>& dbs);
  // `to` becomes a copy of `from` (CREATE DATABASE ... TEMPLATE); an
  // existing `to` is dropped first.
  void clone(const std::string& from, const std::string& to);
  // clone() in two halves: start_clone() sends the CREATE DATABASE and
  // returns; finish_clone() waits for it (and throws what clone() would).
  // Nothing else may use the cluster in between (release gives the copy
  // a cluster of its own).
  void start_clone(const std::string& from, const std::string& to);
  void finish_clone();
  void rename(const std::string& from, const std::string& to);
  // Put `scratch` in the place of `target` (taking its owner): `target` is
  // renamed away first, `scratch` renamed in, and the old database's name
  // is returned for the caller to drop (nullopt when there was no
  // `target`). A SIGKILL at any point leaves `target` or its renamed-away
  // copy, never neither for longer than an instant: see recover_swap().
  std::optional<std::string> swap_in(const std::string& scratch,
                                     const std::string& target,
                                     Sessions sessions = Sessions::end);
  // After a killed swap_in(): `target` missing but its renamed-away copy
  // present: rename the copy back. Returns whether it did.
  bool recover_swap(const std::string& target);
  // What a git-hop killed while it worked on `target` left (call it with
  // git-hop's lock held): end_orphans(), recover_swap(), then drop the
  // scratch databases derived from `target` (__hop_apply, __hop_build,
  // __hop_check, __hop_test, __hop_old). Returns the names dropped.
  std::vector<std::string> sweep(const std::string& target);
  // End the server sessions a killed git-hop of this machine left running
  // (named "git-hop ... [pid N]" by db::set_application_name(), N gone),
  // and wait for them to go.
  void end_orphans();
  // The scratch databases of `target` that sweep() drops.
  static std::vector<std::string> scratch_names(const std::string& target);
  // The name swap_in() gives the database it replaces.
  static std::string old_name(const std::string& target);

  // The comment of database `db` (git-hop stamps templates with it).
  std::optional<std::string> comment(const std::string& db);
  void set_comment(const std::string& db, const std::string& text);
  // The comments of the databases of `names` that exist.
  std::map<std::string, std::optional<std::string>>
  comments(const std::vector<std::string>& names);
  // Databases whose name starts with `prefix`, with their comments.
  std::vector<std::pair<std::string, std::optional<std::string>>>
  databases_with_prefix(const std::string& prefix);

  // Other sessions connected to `db` (never this one).
  std::vector<SessionInfo> sessions(const std::string& db);

  // The settings of `db` on the same server.
  ConnectionSettings settings_for(const std::string& db) const;
  const ConnectionSettings& settings() const { return m_settings; }
  Connection& connection() { return m_conn; }

private:
  void rename_away(const std::string& from, const std::string& to,
                   Sessions sessions);

  ConnectionSettings m_settings;
  Connection m_conn;
  // The clone start_clone() sent: from, to.
  std::optional<std::pair<std::string, std::string>> m_cloning;
};

// A database that exists for the length of a command: created by the
// caller (clone...), dropped by the destructor unless adopt() was called.
class ScratchDatabase {
public:
  ScratchDatabase(Cluster& cluster, std::string name);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ScratchDatabase(ScratchDatabase&& other) noexcept;

  const std::string& name() const { return m_name; }
  ConnectionSettings settings() const
  {
    return m_cluster->settings_for(m_name);
  }
  // Keep it: it became something else (renamed into place, a template).
  void adopt() { m_adopted = true; }
  // Drop it now.
  void drop();

private:
  Cluster* m_cluster;
  std::string m_name;
  bool m_adopted = false;
};

// Which of `names` are databases of the server `conn` is connected to (any
// database will do: pg_database is shared), leaving out those that
// another session is dropping or renaming right now (it holds or waits
// for their exclusive lock: drop_detached()'s child, a git-hop at work).
std::vector<std::string>
existing_databases(Connection& conn, const std::vector<std::string>& names);

// A name for a database derived from `dbname` ("blog__hop_apply"), at
// most 63 bytes.
std::string derived_name(const std::string& dbname, const std::string& suffix);

} // namespace hop::db
