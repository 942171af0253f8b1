// The database model as code generation needs it, read from the system
// catalogs with four set-based queries (relations, columns, constraints,
// inheritance), whatever the number of relations.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace hop::db {
class Connection;
}

namespace hop::codegen {

enum class RelKind {
  table,
  view,
  materialized_view,
  foreign_table,
  partitioned_table
};

struct Column
{
  std::string name;
  std::string sql_type;  // format_type(): "character varying(20)"
  std::string type_name; // pg_type.typname: "varchar", "_int4", "mood"
  char type_type = 'b';  // pg_type.typtype: b c d e p r m
  bool is_array = false;
  std::string element_type; // typname of the element of an array
  std::string base_type;    // typname of the base type of a domain
  bool not_null = false;
};

struct ForeignKey
{
  std::string name;
  std::vector<std::string> columns;
  std::string target_schema;
  std::string target_relation;
  std::vector<std::string> target_columns;
};

struct Relation
{
  std::string schema;
  std::string name;
  RelKind kind = RelKind::table;
  std::optional<std::string> comment;
  std::vector<Column> columns;
  std::vector<std::string> primary_key;
  std::vector<std::vector<std::string>> uniques;
  std::vector<ForeignKey> foreign_keys;
  // Parent tables (INHERITS), in declaration order: (schema, relation).
  std::vector<std::pair<std::string, std::string>> parents;
};

struct Catalog
{
  std::string database;
  // Sorted by (schema, name), byte order.
  std::vector<Relation> relations;
};

// Tables, views, materialized views, foreign and partitioned tables; not
// partitions; nothing from system schemas or schemas starting with
// half_orm_meta.
Catalog read_catalog(db::Connection& conn);

std::string_view kind_name(RelKind kind);

} // namespace hop::codegen
