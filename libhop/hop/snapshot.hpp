// Deterministic dumps of a database: the committed baselines
// model/schema-X.Y.Z.sql (schema only) and model/metadata-X.Y.Z.sql (the
// rows of half_orm_meta). The same database gives the same bytes: pg_dump
// version banners are dropped and psql's \restrict key is fixed.
#pragma once

#include "connection.hpp"
#include "db/connection.hpp"

#include <string>

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

// Databases of the cluster, through a maintenance connection (database
// "postgres", else "template1"): clones, templates, swaps. Needs the
// CREATEDB privilege.
class Admin {
public:
  explicit Admin(const ConnectionSettings& settings);

  bool exists(const std::string& db);
  // CREATE DATABASE `db` (empty, from template1).
  void create(const std::string& db);
  // DROP DATABASE IF EXISTS ... WITH (FORCE).
  void drop(const std::string& db);
  // `to` becomes a copy of `from` (CREATE DATABASE ... TEMPLATE); an
  // existing `to` is dropped first.
  void clone(const std::string& from, const std::string& to);
  // `scratch` takes the place (and the owner) of `target`, which is
  // dropped.
  void replace(const std::string& scratch, const std::string& target);
  // The template database of a baseline, built with psql from `schema` and
  // `metadata` unless an up-to-date one exists (its comment holds the
  // sha256 of the baseline). Returns its name.
  std::string ensure_template(const std::string& dbname,
                              const std::string& version,
                              const std::string& schema,
                              const std::string& metadata);
  // The settings of `db` on the same server.
  ConnectionSettings settings_for(const std::string& db) const;

private:
  ConnectionSettings m_settings;
  db::Connection m_conn;
};

// A name for a database derived from `dbname` ("blog__hop_apply"), at
// most 63 bytes.
std::string derived_name(const std::string& dbname, const std::string& suffix);

// Load `sql` (a dump: psql meta-commands allowed) into `settings`'s
// database with psql, stopping at the first error, in one transaction.
void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what);

} // namespace hop::snapshot
