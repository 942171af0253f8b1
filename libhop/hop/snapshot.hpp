// Deterministic dumps of a database: the committed baselines
// model/schema-X.Y.Z.sql (schema only) and model/metadata-X.Y.Z.sql (the
// rows of half_orm_meta). The same database gives the same bytes: pg_dump
// version banners are dropped and psql's \restrict key is fixed.
#pragma once

#include "connection.hpp"
#include "db/cluster.hpp"
#include "db/connection.hpp"

#include <string>
#include <vector>

namespace hop::snapshot {

// Schema-only dump of the database of `settings`.
std::string dump_schema(const ConnectionSettings& settings);
// Data-only dump of the half_orm_meta schema.
std::string dump_metadata(const ConnectionSettings& settings);
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

// Load `sql` (a dump: psql meta-commands allowed) into `settings`'s
// database with psql, stopping at the first error, in one transaction.
void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what);

} // namespace hop::snapshot
