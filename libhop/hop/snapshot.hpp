// Deterministic dumps of a database: the committed baselines
// model/schema-X.Y.Z.sql (schema only) and model/metadata-X.Y.Z.sql (the
// rows of half_orm_meta). The same database gives the same bytes: pg_dump
// version banners are dropped and psql's \restrict key is fixed ("githop");
// a dump is loaded under a fresh random key (load_sql).
#pragma once

#include "connection.hpp"
#include "db/cluster.hpp"
#include "db/connection.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hop::snapshot {

// Schema-only dump of the database of `settings`.
std::string dump_schema(const ConnectionSettings& settings);
// Data-only dump of the half_orm_meta schema.
std::string dump_metadata(const ConnectionSettings& settings);

// A dump started in the background (process::Background) while git-hop
// does something else (release runs the tests meanwhile); get() waits
// and gives what dump_schema() or dump_metadata() would have returned.
// Destroyed unread, it stops pg_dump.
class PendingDump {
public:
  PendingDump(const ConnectionSettings& settings, std::vector<std::string> args,
              std::string what, const char* program = "pg_dump");
  PendingDump(PendingDump&&) noexcept;
  PendingDump& operator=(PendingDump&&) = delete;
  ~PendingDump();
  std::string get();

private:
  struct Run;
  std::unique_ptr<Run> m;
};
PendingDump start_dump_schema(const ConnectionSettings& settings);
PendingDump start_dump_metadata(const ConnectionSettings& settings);

// Both baselines of a database, dumped in the background at once.
struct PendingBaselines
{
  PendingDump schema;   // dump_schema()
  PendingDump metadata; // dump_metadata()
};
PendingBaselines start_baselines(const ConnectionSettings& settings);
// The schema in a custom-format backup (pg_dump -Fc), as dump_schema()
// gives it for the database the backup was taken of (pg_restore
// --schema-only with the same options), without asking the server.
std::string backup_schema(const std::filesystem::path& backup);
// Remove what varies between runs and pg_dump builds from a dump.
std::string normalize(const std::string& dump);

// File names of the baselines of `version` ("model/schema-1.2.3.sql").
std::string schema_file(const std::string& version);
std::string metadata_file(const std::string& version);

// The databases of the server: see db/cluster.hpp.
using Admin = db::Cluster;
using db::derived_name;

// The objects of a schema-only dump that differ from another's: one line
// each ("table public.post: differs", "index public.post_title: only in
// the database"), in dump order. Objects of git-hop's own tracking schema
// (half_orm_meta, "half_orm_meta.view") are not compared: git-hop migrates
// them itself.
std::vector<std::string> compare_schemas(const std::string& expected,
                                         const std::string& actual,
                                         const std::string& expected_name,
                                         const std::string& actual_name);

// `sql` (one or more pg_dump outputs, back to back) with the key of each
// dump's opening "\restrict <k>" and of its closing "\unrestrict <k>"
// replaced by `key`; no other line changes, so that an "\unrestrict githop"
// inside a dump is refused by psql, and every meta-command after it. A
// text without \restrict is wrapped in "\restrict <key>" ...
// "\unrestrict <key>" (when pg_dump, hence psql, knows them).
std::string with_restrict_key(const std::string& sql, const std::string& key);

// Load `sql` (dumps) into `settings`'s database with psql, stopping at the
// first error, in one transaction, under a fresh random \restrict key
// (with_restrict_key): psql's meta-commands are refused in all of it
// (CVE-2025-8714: the committed key "githop" is public).
void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what);

} // namespace hop::snapshot
