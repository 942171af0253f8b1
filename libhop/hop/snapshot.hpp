// Deterministic dumps of a database: the committed baselines
// model/schema-X.Y.Z.sql (schema only) and model/metadata-X.Y.Z.sql (the
// rows of half_orm_meta). The same database gives the same bytes: pg_dump
// version banners are dropped and psql's \restrict key is fixed.
#pragma once

#include "connection.hpp"

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

} // namespace hop::snapshot
