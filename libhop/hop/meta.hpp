// The half_orm_meta tracking schema inside a database: upstream's tables
// and views (hop_release, "half_orm_meta.view".hop_last_release...) plus
// git-hop's own hop_meta version row, hop_script (what ran) and
// hop_upgrade (an upgrade in progress). The one place that reads and
// writes these rows.
#pragma once

#include "db/connection.hpp"
#include "version.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hop::meta {

// Version of git-hop's own additions to half_orm_meta.
constexpr int k_meta_version = 2;

struct State
{
  bool has_hop_release = false; // upstream's table is there
  int hop_meta_version = 0;     // 0: git-hop's additions are absent
  std::optional<Version> last_release;
};

// Read what the database holds (never writes).
State inspect(db::Connection& conn);

// What install() did, so that a failed command can undo it.
struct Installed
{
  bool created_schema = false;   // half_orm_meta did not exist before
  bool added_hop_tables = false; // hop_meta / hop_script were added
  bool inserted_initial = false; // release 0.0.0 was recorded
};

// Create or complete half_orm_meta inside the caller's transaction:
// upstream's schema when absent (an existing one is reused, never
// overwritten), git-hop's additions migrated to k_meta_version
// (idempotent), and release 0.0.0 when no release is recorded and
// `initial_release` is set.
Installed install(db::Connection& conn, bool initial_release = true);

// Bring git-hop's additions up to k_meta_version (in the caller's
// transaction); a no-op when they are.
void migrate(db::Connection& conn);

// Undo what install() reported (in the caller's transaction).
void uninstall(db::Connection& conn, const Installed& installed);

// The database release, from "half_orm_meta.view".hop_last_release.
std::optional<Version> last_release(db::Connection& conn);

// --- What a database records -------------------------------------------

struct ScriptRow
{
  std::string path;
  std::string sha256;
  std::optional<int>
      statements; // statements done, for a script run outside a transaction
};

struct ReleaseRow
{
  Version version;
  std::string pre_release; // '' for final releases
  std::string changelog;
  std::optional<std::string> commit;
  std::optional<std::string> hop_release;
  std::vector<ScriptRow> scripts;
};

struct UpgradeRow
{
  Version release; // the release being applied
  std::string target;
  std::string started_at;
  std::string client;
  std::string backup;
};

struct Record
{
  bool tracked = false; // half_orm_meta.hop_release exists
  int meta_version = 0;
  std::vector<ReleaseRow> releases; // final releases, oldest first
  // Scripts recorded for a release that has no hop_release row yet (an
  // interrupted upgrade).
  std::map<Version, std::vector<ScriptRow>> pending_scripts;
  std::optional<UpgradeRow> upgrade;

  std::optional<Version> last() const;
};

Record read_record(db::Connection& conn);

// Record release `v` (every column of hop_release: the date and time now,
// the dbid from check_database(), git-hop's version).
void record_release(db::Connection& conn, const Version& v,
                    const std::string& changelog,
                    const std::optional<std::string>& commit);
// Record a script of release `v` that ran whole.
void record_script(db::Connection& conn, const Version& v,
                   const std::string& path, const std::string& sha256,
                   double duration_ms);
// A script that ran whole, as record_scripts records it.
struct ScriptDone
{
  std::string path;
  std::string sha256;
  double duration_ms = 0;
};
// Record scripts of release `v` that ran whole, one statement for all.
void record_scripts(db::Connection& conn, const Version& v,
                    const std::vector<ScriptDone>& scripts);
// Record that `done` statements of a script run outside a transaction are
// done (inserted at the first, updated after each).
void record_statements(db::Connection& conn, const Version& v,
                       const std::string& path, const std::string& sha256,
                       int done, double duration_ms);
// Set the commit of release rows that have none (or `force`), one
// statement for all: (version, commit).
void stamp_commits(db::Connection& conn,
                   const std::vector<std::pair<Version, std::string>>& commits);

// The upgrade in progress: begin (committed by the caller before the
// first change), end (in the transaction that records the release).
void begin_upgrade(db::Connection& conn, const UpgradeRow& row);
void end_upgrade(db::Connection& conn);

} // namespace hop::meta
