// The half_orm_meta tracking schema inside a database: upstream's tables
// and views (hop_release, "half_orm_meta.view".hop_last_release...) plus
// git-hop's own hop_script table and hop_meta version row.
#pragma once

#include "db/connection.hpp"
#include "version.hpp"

#include <optional>

namespace hop::meta {

// Version of git-hop's own additions to half_orm_meta.
constexpr int k_meta_version = 1;

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
// overwritten), git-hop's additions (idempotent), and release 0.0.0 when
// no release is recorded.
Installed install(db::Connection& conn);

// Undo what install() reported (in the caller's transaction).
void uninstall(db::Connection& conn, const Installed& installed);

// The database release, from "half_orm_meta.view".hop_last_release.
std::optional<Version> last_release(db::Connection& conn);

} // namespace hop::meta
