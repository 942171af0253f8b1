#include "classify.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>

namespace hop::sql {

namespace {

using L = LockLevel;
using detail::Value;

// The lock rules, one row each, in the order of enum R below. Sources are
// pages of the PostgreSQL 15 manual (the SQL command reference pages and
// section 13.3 "Explicit Locking"); where the manual is silent, the
// PostgreSQL 15 source file that takes the lock. git-hop(1), section LOCKS,
// lists the same table: keep both in step (tests/unit/test_sql.cpp checks
// that every `statement` below appears there).
constexpr Rule k_rules[] = {
    // DML
    {"SELECT (every table a statement reads)", L::access_share, false, false,
     "reads the table", "Explicit Locking (13.3.1)"},
    {"SELECT ... FOR UPDATE/NO KEY UPDATE/SHARE/KEY SHARE", L::row_share, false,
     false, "SELECT ... FOR UPDATE/SHARE locks the rows it reads",
     "Explicit Locking (13.3.1); SELECT"},
    {"INSERT", L::row_exclusive, false, false, "INSERT writes rows",
     "Explicit Locking (13.3.1)"},
    {"UPDATE", L::row_exclusive, false, false, "UPDATE writes rows",
     "Explicit Locking (13.3.1)"},
    {"DELETE", L::row_exclusive, false, false, "DELETE writes rows",
     "Explicit Locking (13.3.1)"},
    {"MERGE", L::row_exclusive, false, false, "MERGE writes rows",
     "Explicit Locking (13.3.1)"},
    {"COPY ... FROM", L::row_exclusive, false, false, "COPY FROM writes rows",
     "Explicit Locking (13.3.1)"},
    {"COPY ... TO", L::access_share, false, false, "COPY TO reads the table",
     "Explicit Locking (13.3.1)"},
    {"TRUNCATE", L::access_exclusive, false, false,
     "TRUNCATE blocks every access to the table", "TRUNCATE"},
    {"LOCK TABLE", L::access_exclusive, false, false,
     "LOCK TABLE takes the mode it names (ACCESS EXCLUSIVE by default)",
     "LOCK"},
    // CREATE TABLE
    {"CREATE TABLE ... REFERENCES", L::share_row_exclusive, false, false,
     "a new foreign key blocks writes to the table it references",
     "CREATE TABLE"},
    {"CREATE TABLE ... PARTITION OF", L::access_exclusive, false, false,
     "PARTITION OF blocks every access to the partitioned table",
     "CREATE TABLE"},
    {"CREATE TABLE ... INHERITS", L::share_update_exclusive, false, false,
     "INHERITS blocks schema changes of the parent table",
     "tablecmds.c (MergeAttributes)"},
    {"CREATE TABLE ... (LIKE", L::access_share, false, false,
     "LIKE reads the definition of the table it copies",
     "parse_utilcmd.c (transformTableLikeClause)"},
    // Indexes
    {"CREATE INDEX", L::share, false, true,
     "CREATE INDEX blocks writes while it scans the table",
     "CREATE INDEX; Explicit Locking (13.3.1)"},
    {"CREATE INDEX CONCURRENTLY", L::share_update_exclusive, false, true,
     "CREATE INDEX CONCURRENTLY scans the table twice without blocking "
     "writes",
     "CREATE INDEX"},
    {"DROP INDEX", L::access_exclusive, false, false,
     "DROP INDEX blocks every access to the index's table", "DROP INDEX"},
    {"DROP INDEX CONCURRENTLY", L::share_update_exclusive, false, false,
     "DROP INDEX CONCURRENTLY waits for other transactions instead of "
     "blocking them",
     "DROP INDEX"},
    {"REINDEX TABLE", L::share, false, true,
     "REINDEX blocks writes to the table and reads that use its indexes "
     "while it rebuilds them",
     "REINDEX"},
    {"REINDEX INDEX", L::access_exclusive, false, true,
     "REINDEX INDEX blocks writes to its table and every read that uses the "
     "index",
     "REINDEX"},
    {"REINDEX ... CONCURRENTLY", L::share_update_exclusive, false, true,
     "REINDEX CONCURRENTLY rebuilds without blocking reads or writes",
     "REINDEX; Explicit Locking (13.3.1)"},
    {"REINDEX SCHEMA/DATABASE/SYSTEM", L::share, false, true,
     "REINDEX rebuilds the indexes of every table, blocking writes to each",
     "REINDEX"},
    {"ALTER INDEX ... RENAME", L::share_update_exclusive, false, false,
     "renaming an index blocks only schema changes", "ALTER INDEX"},
    {"ALTER INDEX (other forms)", L::access_exclusive, false, false,
     "ALTER INDEX blocks every access to the index", "ALTER INDEX"},
    // DROP
    {"DROP TABLE/VIEW/MATERIALIZED VIEW/SEQUENCE/FOREIGN TABLE",
     L::access_exclusive, false, false,
     "DROP blocks every access to the relation (and to the partitioned "
     "table, for a partition)",
     "Explicit Locking (13.3.1); CREATE TABLE"},
    {"DROP SCHEMA ... CASCADE", L::access_exclusive, false, false,
     "DROP SCHEMA ... CASCADE drops every table of the schema",
     "Explicit Locking (13.3.1)"},
    // ALTER TABLE
    {"ALTER TABLE (forms not listed here)", L::access_exclusive, false, false,
     "ALTER TABLE blocks every access to the table", "ALTER TABLE"},
    {"ALTER TABLE ... ADD COLUMN with a volatile DEFAULT, GENERATED ... "
     "STORED, an identity or a serial type",
     L::access_exclusive, true, false,
     "ADD COLUMN with a volatile or generated value rewrites the table",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT",
     L::access_exclusive, false, true,
     "ADD COLUMN ... NOT NULL without a default scans the table (and fails "
     "if it has rows)",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... ALTER COLUMN ... TYPE", L::access_exclusive, true, false,
     "ALTER COLUMN ... TYPE rewrites the table and its indexes unless the "
     "old type is binary coercible to the new one",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... ALTER COLUMN ... SET NOT NULL", L::access_exclusive,
     false, true, "SET NOT NULL scans the table", "ALTER TABLE"},
    {"ALTER TABLE ... ADD CHECK", L::access_exclusive, false, true,
     "ADD CHECK scans the table to validate the constraint",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... ADD CHECK ... NOT VALID", L::access_exclusive, false,
     false, "ADD CHECK ... NOT VALID blocks every access but scans nothing",
     "ALTER TABLE"},
    {"ALTER TABLE ... ADD FOREIGN KEY", L::share_row_exclusive, false, true,
     "ADD FOREIGN KEY blocks writes to both tables while it scans the table",
     "ALTER TABLE"},
    {"ALTER TABLE ... ADD FOREIGN KEY ... NOT VALID", L::share_row_exclusive,
     false, false,
     "ADD FOREIGN KEY ... NOT VALID blocks writes to both tables but scans "
     "nothing",
     "ALTER TABLE"},
    {"ALTER TABLE ... ADD PRIMARY KEY/UNIQUE/EXCLUDE", L::access_exclusive,
     false, true,
     "ADD PRIMARY KEY/UNIQUE/EXCLUDE builds an index, blocking every access "
     "while it scans the table",
     "ALTER TABLE; tablecmds.c (AlterTableGetLockLevel)"},
    {"ALTER TABLE ... ADD ... USING INDEX", L::access_exclusive, false, false,
     "ADD ... USING INDEX blocks every access but reuses the index",
     "ALTER TABLE"},
    {"ALTER TABLE ... VALIDATE CONSTRAINT", L::share_update_exclusive, false,
     true, "VALIDATE CONSTRAINT scans the table without blocking writes",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... SET STATISTICS, SET/RESET (attribute options), CLUSTER "
     "ON, SET WITHOUT CLUSTER, SET/RESET (fillfactor, toast_tuple_target, "
     "toast.*, autovacuum_*, vacuum_*, parallel_workers)",
     L::share_update_exclusive, false, false,
     "this ALTER TABLE form blocks only schema changes and VACUUM",
     "ALTER TABLE"},
    {"ALTER TABLE ... ENABLE/DISABLE TRIGGER", L::share_row_exclusive, false,
     false, "ENABLE/DISABLE TRIGGER blocks writes",
     "Explicit Locking (13.3.1); tablecmds.c (AlterTableGetLockLevel)"},
    {"ALTER TABLE ... SET TABLESPACE/ACCESS METHOD/LOGGED/UNLOGGED",
     L::access_exclusive, true, false,
     "this ALTER TABLE form rewrites the table", "ALTER TABLE"},
    {"ALTER TABLE ... ATTACH PARTITION (the partitioned table)",
     L::share_update_exclusive, false, false,
     "ATTACH PARTITION blocks only schema changes of the partitioned table",
     "ALTER TABLE"},
    {"ALTER TABLE ... ATTACH PARTITION (the partition)", L::access_exclusive,
     false, true,
     "ATTACH PARTITION blocks every access to the new partition while it "
     "scans it",
     "ALTER TABLE (Notes)"},
    {"ALTER TABLE ... DETACH PARTITION", L::access_exclusive, false, false,
     "DETACH PARTITION blocks every access to both tables", "ALTER TABLE"},
    {"ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (the partitioned "
     "table)",
     L::share_update_exclusive, false, false,
     "DETACH PARTITION CONCURRENTLY blocks only schema changes of the "
     "partitioned table",
     "ALTER TABLE"},
    {"ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (the partition)",
     L::access_exclusive, false, false,
     "DETACH PARTITION CONCURRENTLY blocks every access to the partition in "
     "its second transaction",
     "ALTER TABLE"},
    {"ALTER TABLE/VIEW/SEQUENCE/MATERIALIZED VIEW ... RENAME, SET SCHEMA, "
     "OWNER TO",
     L::access_exclusive, false, false,
     "renaming or moving a relation blocks every access to it", "ALTER TABLE"},
    {"ALTER ... ALL IN TABLESPACE ... SET TABLESPACE", L::access_exclusive,
     true, false, "ALL IN TABLESPACE moves (rewrites) every table it names",
     "ALTER TABLE"},
    {"CREATE OR REPLACE VIEW", L::access_exclusive, false, false,
     "CREATE OR REPLACE VIEW blocks every access to the view",
     "tablecmds.c (AlterTableGetLockLevel, AT_AddColumnToView)"},
    {"ALTER SEQUENCE", L::share_row_exclusive, false, false,
     "ALTER SEQUENCE blocks nextval() and setval() on the sequence",
     "ALTER SEQUENCE; sequence.c (AlterSequence)"},
    // Triggers, rules, policies, comments, statistics, publications
    {"CREATE TRIGGER", L::share_row_exclusive, false, false,
     "CREATE TRIGGER blocks writes to the table", "Explicit Locking (13.3.1)"},
    {"DROP TRIGGER", L::access_exclusive, false, false,
     "DROP TRIGGER blocks every access to the table",
     "trigger.c (RemoveTriggerById)"},
    {"CREATE RULE, DROP RULE", L::access_exclusive, false, false,
     "a rule changes every query on the table",
     "rewriteDefine.c, rewriteRemove.c"},
    {"CREATE/ALTER/DROP POLICY", L::access_exclusive, false, false,
     "a policy changes every query on the table", "policy.c"},
    {"COMMENT ON", L::share_update_exclusive, false, false,
     "COMMENT blocks only schema changes", "COMMENT"},
    {"CREATE STATISTICS", L::share_update_exclusive, false, false,
     "CREATE STATISTICS blocks only schema changes",
     "Explicit Locking (13.3.1)"},
    {"CREATE PUBLICATION ... FOR TABLE, ALTER PUBLICATION ... TABLE",
     L::share_update_exclusive, false, false,
     "publishing a table blocks only its schema changes",
     "publicationcmds.c (OpenTableList)"},
    // Maintenance
    {"VACUUM", L::share_update_exclusive, false, true,
     "VACUUM scans the table without blocking reads or writes",
     "Explicit Locking (13.3.1); VACUUM"},
    {"VACUUM FULL", L::access_exclusive, true, false,
     "VACUUM FULL rewrites the table, blocking every access", "VACUUM"},
    {"ANALYZE", L::share_update_exclusive, false, false,
     "ANALYZE reads a sample without blocking reads or writes",
     "Explicit Locking (13.3.1); ANALYZE"},
    {"CLUSTER", L::access_exclusive, true, false,
     "CLUSTER rewrites the table, blocking every access", "CLUSTER"},
    {"REFRESH MATERIALIZED VIEW", L::access_exclusive, true, false,
     "REFRESH MATERIALIZED VIEW rewrites the view, blocking reads of it",
     "Explicit Locking (13.3.1); REFRESH MATERIALIZED VIEW"},
    {"REFRESH MATERIALIZED VIEW CONCURRENTLY", L::exclusive, false, true,
     "REFRESH ... CONCURRENTLY allows only reads while it recomputes the view",
     "Explicit Locking (13.3.1)"},
};

// Rows of k_rules, by name.
enum class R : unsigned char {
  select,
  select_for,
  insert,
  update,
  delete_,
  merge,
  copy_from,
  copy_to,
  truncate,
  lock_table,
  create_references,
  create_partition_of,
  create_inherits,
  create_like,
  create_index,
  create_index_concurrently,
  drop_index,
  drop_index_concurrently,
  reindex_table,
  reindex_index,
  reindex_concurrently,
  reindex_all,
  rename_index,
  alter_index,
  drop_relation,
  drop_schema_cascade,
  alter_table,
  add_column_rewrite,
  add_column_not_null,
  alter_column_type,
  set_not_null,
  add_check,
  add_check_not_valid,
  add_foreign_key,
  add_foreign_key_not_valid,
  add_index_constraint,
  add_using_index,
  validate_constraint,
  alter_table_light,
  trigger_enable,
  table_rewrite,
  attach_parent,
  attach_partition,
  detach_partition,
  detach_concurrently_parent,
  detach_concurrently,
  rename_relation,
  move_all,
  replace_view,
  alter_sequence,
  create_trigger,
  drop_trigger,
  rule,
  policy,
  comment,
  create_statistics,
  publication,
  vacuum,
  vacuum_full,
  analyze,
  cluster,
  refresh,
  refresh_concurrently,
  count_
};
static_assert(std::size(k_rules) == static_cast<size_t>(R::count_));

const Rule& rule(R r)
{
  return k_rules[static_cast<size_t>(r)];
}

// Why a statement cannot run inside a transaction block: PostgreSQL 15's
// callers of PreventInTransactionBlock().
namespace why {
constexpr std::string_view cic =
    "CREATE INDEX CONCURRENTLY cannot run inside a transaction block";
constexpr std::string_view dic =
    "DROP INDEX CONCURRENTLY cannot run inside a transaction block";
constexpr std::string_view ric =
    "REINDEX CONCURRENTLY cannot run inside a transaction block";
constexpr std::string_view reindex_schema =
    "REINDEX SCHEMA cannot run inside a transaction block";
constexpr std::string_view reindex_database =
    "REINDEX DATABASE cannot run inside a transaction block";
constexpr std::string_view reindex_system =
    "REINDEX SYSTEM cannot run inside a transaction block";
constexpr std::string_view vacuum =
    "VACUUM cannot run inside a transaction block";
constexpr std::string_view cluster_all =
    "CLUSTER without a table name cannot run inside a transaction block";
constexpr std::string_view create_tablespace =
    "CREATE TABLESPACE cannot run inside a transaction block";
constexpr std::string_view drop_tablespace =
    "DROP TABLESPACE cannot run inside a transaction block";
constexpr std::string_view alter_system =
    "ALTER SYSTEM cannot run inside a transaction block";
constexpr std::string_view detach =
    "ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY cannot run inside a "
    "transaction block";
constexpr std::string_view create_subscription =
    "CREATE SUBSCRIPTION ... WITH (create_slot = true) cannot run inside a "
    "transaction block";
constexpr std::string_view drop_subscription =
    "DROP SUBSCRIPTION cannot run inside a transaction block when the "
    "subscription has a replication slot";
constexpr std::string_view alter_subscription =
    "ALTER SUBSCRIPTION with refresh cannot run inside a transaction block";
constexpr std::string_view discard_all =
    "DISCARD ALL cannot run inside a transaction block";
constexpr std::string_view alter_database_tablespace =
    "ALTER DATABASE ... SET TABLESPACE cannot run inside a transaction block";
} // namespace why

// The command tags of the statements whose tag depends on an object type.
struct Words
{
  std::string_view type;
  std::string_view drop;
  std::string_view alter;
};
constexpr Words k_words[] = {
    {"OBJECT_ACCESS_METHOD", "DROP ACCESS METHOD", "ALTER ACCESS METHOD"},
    {"OBJECT_AGGREGATE", "DROP AGGREGATE", "ALTER AGGREGATE"},
    {"OBJECT_CAST", "DROP CAST", "ALTER CAST"},
    {"OBJECT_COLLATION", "DROP COLLATION", "ALTER COLLATION"},
    {"OBJECT_CONVERSION", "DROP CONVERSION", "ALTER CONVERSION"},
    {"OBJECT_DATABASE", "DROP DATABASE", "ALTER DATABASE"},
    {"OBJECT_DOMAIN", "DROP DOMAIN", "ALTER DOMAIN"},
    {"OBJECT_DOMCONSTRAINT", "ALTER DOMAIN", "ALTER DOMAIN"},
    {"OBJECT_EVENT_TRIGGER", "DROP EVENT TRIGGER", "ALTER EVENT TRIGGER"},
    {"OBJECT_EXTENSION", "DROP EXTENSION", "ALTER EXTENSION"},
    {"OBJECT_FDW", "DROP FOREIGN DATA WRAPPER", "ALTER FOREIGN DATA WRAPPER"},
    {"OBJECT_FOREIGN_SERVER", "DROP SERVER", "ALTER SERVER"},
    {"OBJECT_FOREIGN_TABLE", "DROP FOREIGN TABLE", "ALTER FOREIGN TABLE"},
    {"OBJECT_FUNCTION", "DROP FUNCTION", "ALTER FUNCTION"},
    {"OBJECT_INDEX", "DROP INDEX", "ALTER INDEX"},
    {"OBJECT_LANGUAGE", "DROP LANGUAGE", "ALTER LANGUAGE"},
    {"OBJECT_LARGEOBJECT", "DROP LARGE OBJECT", "ALTER LARGE OBJECT"},
    {"OBJECT_MATVIEW", "DROP MATERIALIZED VIEW", "ALTER MATERIALIZED VIEW"},
    {"OBJECT_OPCLASS", "DROP OPERATOR CLASS", "ALTER OPERATOR CLASS"},
    {"OBJECT_OPERATOR", "DROP OPERATOR", "ALTER OPERATOR"},
    {"OBJECT_OPFAMILY", "DROP OPERATOR FAMILY", "ALTER OPERATOR FAMILY"},
    {"OBJECT_POLICY", "DROP POLICY", "ALTER POLICY"},
    {"OBJECT_PROCEDURE", "DROP PROCEDURE", "ALTER PROCEDURE"},
    {"OBJECT_PUBLICATION", "DROP PUBLICATION", "ALTER PUBLICATION"},
    {"OBJECT_ROLE", "DROP ROLE", "ALTER ROLE"},
    {"OBJECT_ROUTINE", "DROP ROUTINE", "ALTER ROUTINE"},
    {"OBJECT_RULE", "DROP RULE", "ALTER RULE"},
    {"OBJECT_SCHEMA", "DROP SCHEMA", "ALTER SCHEMA"},
    {"OBJECT_SEQUENCE", "DROP SEQUENCE", "ALTER SEQUENCE"},
    {"OBJECT_SUBSCRIPTION", "DROP SUBSCRIPTION", "ALTER SUBSCRIPTION"},
    {"OBJECT_STATISTIC_EXT", "DROP STATISTICS", "ALTER STATISTICS"},
    {"OBJECT_TABLE", "DROP TABLE", "ALTER TABLE"},
    {"OBJECT_TABLESPACE", "DROP TABLESPACE", "ALTER TABLESPACE"},
    {"OBJECT_TRANSFORM", "DROP TRANSFORM", "ALTER TRANSFORM"},
    {"OBJECT_TRIGGER", "DROP TRIGGER", "ALTER TRIGGER"},
    {"OBJECT_TSCONFIGURATION", "DROP TEXT SEARCH CONFIGURATION",
     "ALTER TEXT SEARCH CONFIGURATION"},
    {"OBJECT_TSDICTIONARY", "DROP TEXT SEARCH DICTIONARY",
     "ALTER TEXT SEARCH DICTIONARY"},
    {"OBJECT_TSPARSER", "DROP TEXT SEARCH PARSER", "ALTER TEXT SEARCH PARSER"},
    {"OBJECT_TSTEMPLATE", "DROP TEXT SEARCH TEMPLATE",
     "ALTER TEXT SEARCH TEMPLATE"},
    {"OBJECT_TYPE", "DROP TYPE", "ALTER TYPE"},
    {"OBJECT_USER_MAPPING", "DROP USER MAPPING", "ALTER USER MAPPING"},
    {"OBJECT_VIEW", "DROP VIEW", "ALTER VIEW"},
};

const Words* words(std::string_view t)
{
  for (const auto& w : k_words) {
    if (w.type == t) {
      return &w;
    }
  }
  return nullptr;
}

std::string_view drop_tag(std::string_view t)
{
  const Words* w = words(t);
  return w ? w->drop : "DROP";
}

std::string_view alter_tag(std::string_view t)
{
  const Words* w = words(t);
  return w ? w->alter : "ALTER";
}

bool is_relation(std::string_view t)
{
  return t == "OBJECT_TABLE" || t == "OBJECT_VIEW" || t == "OBJECT_MATVIEW" ||
         t == "OBJECT_SEQUENCE" || t == "OBJECT_FOREIGN_TABLE" ||
         t == "OBJECT_INDEX";
}

// The fields of a RangeVar, whether a Node ({"RangeVar": {...}}) or a field
// of that type (the bare object).
Value range_var(Value v)
{
  return v.type() == "RangeVar" ? v.fields() : v;
}

Name name_of(Value rv)
{
  rv = range_var(rv);
  return {std::string(rv["schemaname"].str()),
          std::string(rv["relname"].str())};
}

// A String node's text, or nothing.
std::optional<std::string_view> sval(Value n)
{
  if (n.type() == "String") {
    return n.fields()["sval"].str();
  }
  return std::nullopt;
}

// A qualified name given as a list of String nodes, less `drop` trailing
// parts (DROP TRIGGER t ON s.tab: [s, tab, t]); [catalog.]schema.name.
std::optional<Name> name_of_list(Value items, size_t drop = 0)
{
  std::vector<std::string_view> parts;
  for (Value i : items) {
    auto s = sval(i);
    if (!s) {
      return std::nullopt;
    }
    parts.push_back(*s);
  }
  if (parts.size() < drop + 1) {
    return std::nullopt;
  }
  parts.resize(parts.size() - drop);
  Name name{"", std::string(parts.back())};
  if (parts.size() >= 2) {
    name.schema = std::string(parts[parts.size() - 2]);
  }
  return name;
}

// A name given as a Node: a List of Strings, a RangeVar or a String.
std::optional<Name> name_of_node(Value n, size_t drop = 0)
{
  if (n.type() == "List") {
    return name_of_list(n.fields()["items"], drop);
  }
  if (n.type() == "RangeVar") {
    return name_of(n);
  }
  if (auto s = sval(n); s && drop == 0) {
    return Name{"", std::string(*s)};
  }
  return std::nullopt;
}

std::string lower(std::string_view s)
{
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

// The DefElem named `name` in a list of options, or null.
Value def(Value options, std::string_view name)
{
  for (Value o : options) {
    if (o.type() == "DefElem" && o.fields()["defname"].str() == name) {
      return o.fields();
    }
  }
  return {};
}

// defGetBoolean(): no argument is true.
bool def_bool(Value d)
{
  Value arg = d["arg"];
  if (!arg) {
    return true;
  }
  if (auto s = sval(arg)) {
    std::string v = lower(*s);
    return !(v == "false" || v == "off" || v == "no" || v == "0" || v == "of" ||
             v == "f" || v == "n");
  }
  if (arg.type() == "Integer") {
    return arg.fields()["ival"].integer() != 0;
  }
  if (arg.type() == "Boolean") {
    return arg.fields()["boolval"].boolean();
  }
  return true;
}

// Every RangeVar of a query, the tables its INSERT/UPDATE/DELETE/MERGE
// parts write, the names of its CTEs, and whether it locks rows (FOR
// UPDATE...). In a raw parse tree only RangeVars have a "relname".
struct Walk
{
  std::vector<Value> relations;
  std::vector<std::pair<Value, R>> writes;
  std::vector<std::string_view> ctes;
  bool locking = false;

  void visit(Value v)
  {
    if (v.is_array()) {
      for (Value c : v) {
        visit(c);
      }
      return;
    }
    if (!v.is_object()) {
      return;
    }
    std::string_view t = v.type();
    if (t.empty()) {
      if (v["relname"]) {
        relations.push_back(v);
        return;
      }
      for (Value c : v) {
        if (c.key() != "intoClause") { // SELECT INTO: a new table
          visit(c);
        }
      }
      return;
    }
    if (t == "A_Const" || t == "ColumnRef" || t == "ParamRef") {
      return; // leaves: nothing under them names a table
    }
    Value f = v.fields();
    if (t == "RangeVar") {
      relations.push_back(f);
      return;
    }
    if (t == "LockingClause") {
      locking = true; // its RangeVars are the FROM items' names
      return;
    }
    if (t == "CommonTableExpr") {
      ctes.push_back(f["ctename"].str());
    } else if (t == "InsertStmt") {
      writes.emplace_back(f["relation"], R::insert);
    } else if (t == "UpdateStmt") {
      writes.emplace_back(f["relation"], R::update);
    } else if (t == "DeleteStmt") {
      writes.emplace_back(f["relation"], R::delete_);
    } else if (t == "MergeStmt") {
      writes.emplace_back(f["relation"], R::merge);
    }
    visit(f);
  }
};

// Functions that are not volatile, as a DEFAULT: PostgreSQL evaluates
// such a default once instead of rewriting the table. Anything else may
// be volatile (random(), clock_timestamp(), gen_random_uuid(), nextval(),
// a user's function...): without the catalog, assume it is.
constexpr std::string_view k_stable_functions[] = {
    "now",
    "transaction_timestamp",
    "statement_timestamp",
    "current_setting",
    "to_timestamp",
    "to_date",
    "to_char",
    "to_number",
    "lower",
    "upper",
    "length",
    "concat",
    "concat_ws",
    "btrim",
    "make_date",
    "make_time",
    "make_timestamp",
    "make_timestamptz",
    "make_interval",
    "date_trunc",
    "abs",
    "round",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "array_fill",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
};

// A function call that may be volatile in `expr`, or a subquery.
bool is_volatile(Value v)
{
  if (v.is_array()) {
    for (Value c : v) {
      if (is_volatile(c)) {
        return true;
      }
    }
    return false;
  }
  if (!v.is_object()) {
    return false;
  }
  std::string_view t = v.type();
  if (t == "SubLink") {
    return true;
  }
  if (t == "FuncCall") {
    auto name = sval(v.fields()["funcname"].last());
    std::string n = lower(name.value_or(""));
    if (std::find(std::begin(k_stable_functions), std::end(k_stable_functions),
                  n) == std::end(k_stable_functions)) {
      return true;
    }
  }
  for (Value c : t.empty() ? v : v.fields()) {
    if (is_volatile(c)) {
      return true;
    }
  }
  return false;
}

bool is_serial(Value type_name)
{
  std::string n = lower(sval(type_name["names"].last()).value_or(""));
  return n == "serial" || n == "serial4" || n == "bigserial" ||
         n == "serial8" || n == "smallserial" || n == "serial2";
}

// Storage parameters whose change takes only SHARE UPDATE EXCLUSIVE
// (ALTER TABLE, "SET ( storage_parameter ...)"; reloptions.c).
bool light_reloption(std::string_view name)
{
  std::string n = lower(name);
  return n == "fillfactor" || n == "toast_tuple_target" ||
         n == "parallel_workers" || n.starts_with("autovacuum_") ||
         n == "log_autovacuum_min_duration" || n.starts_with("vacuum_") ||
         n.starts_with("toast.");
}

bool light_reloptions(Value def)
{
  if (def.type() != "List") {
    return false;
  }
  for (Value o : def.fields()["items"]) {
    if (o.type() != "DefElem") {
      return false;
    }
    Value d = o.fields();
    std::string n(d["defname"].str());
    if (!d["defnamespace"].str().empty()) {
      n = std::string(d["defnamespace"].str()) + "." + n;
    }
    if (!light_reloption(n)) {
      return false;
    }
  }
  return true;
}

// LockStmt.mode: PostgreSQL's lock numbers, 1 (AccessShareLock) to 8
// (AccessExclusiveLock).
constexpr L k_lock_modes[] = {
    L::access_exclusive,
    L::access_share,
    L::row_share,
    L::row_exclusive,
    L::share_update_exclusive,
    L::share,
    L::share_row_exclusive,
    L::exclusive,
    L::access_exclusive,
};

class Classifier {
public:
  Kind run(Value stmt);

private:
  void lock(const Name& name, R r, std::optional<L> level = std::nullopt,
            bool all_tables = false);
  void lock(Value rv, R r, std::optional<L> level = std::nullopt)
  {
    if (rv) {
      lock(name_of(rv), r, level);
    }
  }
  void reads(Value query);
  void non_transactional(std::string_view why)
  {
    m_kind.transactional = false;
    m_kind.non_transactional = why;
  }
  void alter_table(Value s);
  void add_column(Value table, Value column);
  void add_constraint(Value table, Value c);
  void create_table(Value s);
  void drop(Value s);
  void reindex(Value s);
  void vacuum(Value s);
  void copy(Value s);
  void create_subscription(Value options);
  void alter_subscription(Value s);

  Kind m_kind;
};

void Classifier::lock(const Name& name, R r, std::optional<L> level,
                      bool all_tables)
{
  const Rule& ru = rule(r);
  Lock l{name,       all_tables, level.value_or(ru.level),
         ru.rewrite, ru.scan,    ru.reason};
  for (auto& have : m_kind.locks) {
    if (have.relation == l.relation && have.all_tables == l.all_tables) {
      // The strongest wins; its reason describes it.
      if (std::tie(l.rewrite, l.scan, l.level) >
          std::tie(have.rewrite, have.scan, have.level)) {
        have.reason = l.reason;
      }
      have.level = std::max(have.level, l.level);
      have.rewrite = have.rewrite || l.rewrite;
      have.scan = have.scan || l.scan;
      return;
    }
  }
  m_kind.locks.push_back(std::move(l));
}

void Classifier::reads(Value query)
{
  if (!query) {
    return;
  }
  Walk w;
  w.visit(query);
  for (const auto& [rv, r] : w.writes) {
    lock(rv, r);
  }
  for (Value rv : w.relations) {
    bool written =
        std::any_of(w.writes.begin(), w.writes.end(),
                    [rv](const auto& wr) { return range_var(wr.first) == rv; });
    bool cte = rv["schemaname"].str().empty() &&
               std::find(w.ctes.begin(), w.ctes.end(), rv["relname"].str()) !=
                   w.ctes.end();
    if (!written && !cte) {
      lock(rv, w.locking ? R::select_for : R::select);
    }
  }
}

void Classifier::add_constraint(Value table, Value c)
{
  std::string_view type = c["contype"].str();
  bool not_valid = c["skip_validation"].boolean();
  if (type == "CONSTR_CHECK") {
    lock(table, not_valid ? R::add_check_not_valid : R::add_check);
  } else if (type == "CONSTR_FOREIGN") {
    lock(table, not_valid ? R::add_foreign_key_not_valid : R::add_foreign_key);
    // The referenced table is not scanned.
    lock(c["pktable"], R::add_foreign_key_not_valid);
  } else if (type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" ||
             type == "CONSTR_EXCLUSION") {
    lock(table, c["indexname"].str().empty() ? R::add_index_constraint
                                             : R::add_using_index);
  } else {
    lock(table, R::alter_table);
  }
}

void Classifier::add_column(Value table, Value column)
{
  bool rewrite = is_serial(column["typeName"]) ||
                 (column["raw_default"] && is_volatile(column["raw_default"]));
  bool has_default = column["raw_default"].exists();
  bool not_null = column["is_not_null"].boolean();
  for (Value n : column["constraints"]) {
    if (n.type() != "Constraint") {
      continue;
    }
    Value c = n.fields();
    std::string_view type = c["contype"].str();
    if (type == "CONSTR_DEFAULT") {
      has_default = true;
      rewrite = rewrite || is_volatile(c["raw_expr"]);
    } else if (type == "CONSTR_IDENTITY" || type == "CONSTR_GENERATED") {
      rewrite = true; // nextval() / GENERATED ALWAYS AS (...) STORED
    } else if (type == "CONSTR_NOTNULL") {
      not_null = true;
    } else if (type == "CONSTR_CHECK" || type == "CONSTR_FOREIGN" ||
               type == "CONSTR_PRIMARY" || type == "CONSTR_UNIQUE" ||
               type == "CONSTR_EXCLUSION") {
      add_constraint(table, c);
    }
  }
  if (rewrite) {
    lock(table, R::add_column_rewrite);
  } else if (not_null && !has_default) {
    lock(table, R::add_column_not_null);
  } else {
    lock(table, R::alter_table);
  }
}

void Classifier::alter_table(Value s)
{
  Value t = s["relation"];
  bool index = s["objtype"].str() == "OBJECT_INDEX";
  for (Value n : s["cmds"]) {
    if (n.type() != "AlterTableCmd") {
      continue;
    }
    Value c = n.fields();
    std::string_view sub = c["subtype"].str();
    Value d = c["def"];
    if (sub == "AT_AddColumn" || sub == "AT_AddColumnRecurse") {
      if (d.type() == "ColumnDef") {
        add_column(t, d.fields());
      } else {
        lock(t, R::alter_table);
      }
    } else if (sub == "AT_AlterColumnType") {
      lock(t, R::alter_column_type);
    } else if (sub == "AT_SetNotNull") {
      lock(t, R::set_not_null);
    } else if (sub == "AT_AddConstraint" || sub == "AT_AddConstraintRecurse") {
      if (d.type() == "Constraint") {
        add_constraint(t, d.fields());
      } else {
        lock(t, R::alter_table);
      }
    } else if (sub == "AT_ValidateConstraint" ||
               sub == "AT_ValidateConstraintRecurse") {
      lock(t, R::validate_constraint);
    } else if (sub == "AT_SetStatistics" || sub == "AT_SetOptions" ||
               sub == "AT_ResetOptions" || sub == "AT_ClusterOn" ||
               sub == "AT_DropCluster" || sub == "AT_DetachPartitionFinalize") {
      lock(t, R::alter_table_light);
    } else if (sub == "AT_SetRelOptions" || sub == "AT_ResetRelOptions") {
      lock(t, light_reloptions(d) ? R::alter_table_light
                                  : (index ? R::alter_index : R::alter_table));
    } else if (sub.ends_with("Trig") || sub.ends_with("TrigAll") ||
               sub.ends_with("TrigUser")) {
      lock(t, R::trigger_enable); // ENABLE/DISABLE [ALWAYS|REPLICA] TRIGGER
    } else if (sub == "AT_SetTableSpace" || sub == "AT_SetAccessMethod" ||
               sub == "AT_SetLogged" || sub == "AT_SetUnLogged") {
      lock(t, R::table_rewrite);
    } else if (sub == "AT_AttachPartition" && !index) {
      lock(t, R::attach_parent);
      if (d.type() == "PartitionCmd") {
        lock(d.fields()["name"], R::attach_partition);
      }
    } else if (sub == "AT_DetachPartition") {
      Value p = d.type() == "PartitionCmd" ? d.fields() : Value();
      if (p["concurrent"].boolean()) {
        non_transactional(why::detach);
        lock(t, R::detach_concurrently_parent);
        lock(p["name"], R::detach_concurrently);
      } else {
        lock(t, R::detach_partition);
        lock(p["name"], R::detach_partition);
      }
    } else {
      lock(t, index ? R::alter_index : R::alter_table);
    }
  }
}

void Classifier::create_table(Value s)
{
  bool partition = s["partbound"].exists();
  for (Value n : s["inhRelations"]) {
    if (n.type() == "RangeVar") {
      lock(n, partition ? R::create_partition_of : R::create_inherits);
    }
  }
  auto references = [this](Value n) {
    if (n.type() == "Constraint" &&
        n.fields()["contype"].str() == "CONSTR_FOREIGN") {
      lock(n.fields()["pktable"], R::create_references);
    }
  };
  for (Value n : s["tableElts"]) {
    if (n.type() == "ColumnDef") {
      for (Value c : n.fields()["constraints"]) {
        references(c);
      }
    } else if (n.type() == "TableLikeClause") {
      lock(n.fields()["relation"], R::create_like);
    } else {
      references(n);
    }
  }
  for (Value c : s["constraints"]) {
    references(c);
  }
}

void Classifier::drop(Value s)
{
  std::string_view type = s["removeType"].str();
  bool concurrent = s["concurrent"].boolean();
  m_kind.tag = drop_tag(type);
  if (type == "OBJECT_INDEX") {
    if (concurrent) {
      non_transactional(why::dic);
    }
    for (Value o : s["objects"]) {
      if (auto n = name_of_node(o)) {
        lock(*n, concurrent ? R::drop_index_concurrently : R::drop_index);
      }
    }
  } else if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" ||
             type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" ||
             type == "OBJECT_FOREIGN_TABLE") {
    for (Value o : s["objects"]) {
      if (auto n = name_of_node(o)) {
        lock(*n, R::drop_relation);
      }
    }
  } else if (type == "OBJECT_SCHEMA") {
    if (s["behavior"].str() == "DROP_CASCADE") {
      for (Value o : s["objects"]) {
        if (auto schema = sval(o)) {
          lock(Name{std::string(*schema), ""}, R::drop_schema_cascade,
               std::nullopt, true);
        }
      }
    }
  } else if (type == "OBJECT_TRIGGER" || type == "OBJECT_RULE" ||
             type == "OBJECT_POLICY") {
    R r = type == "OBJECT_TRIGGER" ? R::drop_trigger
          : type == "OBJECT_RULE"  ? R::rule
                                   : R::policy;
    for (Value o : s["objects"]) {
      if (auto n = name_of_node(o, 1)) {
        lock(*n, r);
      }
    }
  }
}

void Classifier::reindex(Value s)
{
  Value d = def(s["params"], "concurrently");
  bool concurrently = d && def_bool(d);
  if (concurrently) {
    non_transactional(why::ric);
  }
  std::string_view kind = s["kind"].str();
  R all = concurrently ? R::reindex_concurrently : R::reindex_all;
  if (kind == "REINDEX_OBJECT_INDEX") {
    lock(s["relation"],
         concurrently ? R::reindex_concurrently : R::reindex_index);
  } else if (kind == "REINDEX_OBJECT_TABLE") {
    lock(s["relation"],
         concurrently ? R::reindex_concurrently : R::reindex_table);
  } else if (kind == "REINDEX_OBJECT_SCHEMA") {
    if (!concurrently) {
      non_transactional(why::reindex_schema);
    }
    lock(Name{std::string(s["name"].str()), ""}, all, std::nullopt, true);
  } else if (kind == "REINDEX_OBJECT_SYSTEM" ||
             kind == "REINDEX_OBJECT_DATABASE") {
    if (!concurrently) {
      non_transactional(kind == "REINDEX_OBJECT_SYSTEM"
                            ? why::reindex_system
                            : why::reindex_database);
    }
    lock(Name{}, all, std::nullopt, true);
  }
}

void Classifier::vacuum(Value s)
{
  bool is_vacuum = s["is_vacuumcmd"].boolean();
  // VACUUM ANALYZE takes VACUUM's lock.
  Value full = def(s["options"], "full");
  R r = !is_vacuum               ? R::analyze
        : full && def_bool(full) ? R::vacuum_full
                                 : R::vacuum;
  if (is_vacuum) {
    m_kind.tag = "VACUUM";
    non_transactional(why::vacuum);
  } else {
    m_kind.tag = "ANALYZE";
  }
  if (s["rels"].size() == 0) {
    lock(Name{}, r, std::nullopt, true);
    return;
  }
  for (Value n : s["rels"]) {
    if (n.type() == "VacuumRelation") {
      lock(n.fields()["relation"], r);
    }
  }
}

void Classifier::copy(Value s)
{
  bool from = s["is_from"].boolean();
  if (s["filename"].str().empty() && !s["is_program"].boolean()) {
    if (from) {
      throw detail::Refusal{
          "COPY ... FROM STDIN is not supported",
          {"git-hop sends each statement to the server; there is no "
           "standard input to copy rows from."},
          {"Use COPY ... FROM '<file>' (a file the server reads), INSERT "
           "statements, or a .py script."}};
    }
    throw detail::Refusal{
        "COPY ... TO STDOUT is not supported",
        {"git-hop sends each statement to the server; nothing would read "
         "the rows."},
        {"Remove it, or use COPY ... TO '<file>' (a file the server "
         "writes)."}};
  }
  lock(s["relation"], from ? R::copy_from : R::copy_to);
  reads(s["query"]);
}

void Classifier::create_subscription(Value options)
{
  Value connect = def(options, "connect");
  bool create_slot = !connect || def_bool(connect);
  if (Value d = def(options, "create_slot")) {
    create_slot = def_bool(d);
  }
  if (create_slot) {
    non_transactional(why::create_subscription);
  }
}

void Classifier::alter_subscription(Value s)
{
  std::string_view kind = s["kind"].str();
  bool refresh = kind == "ALTER_SUBSCRIPTION_REFRESH";
  if (kind == "ALTER_SUBSCRIPTION_SET_PUBLICATION" ||
      kind == "ALTER_SUBSCRIPTION_ADD_PUBLICATION" ||
      kind == "ALTER_SUBSCRIPTION_DROP_PUBLICATION") {
    Value d = def(s["options"], "refresh");
    refresh = !d || def_bool(d);
  }
  if (refresh) {
    non_transactional(why::alter_subscription);
  }
}

detail::Refusal transaction_control(std::string_view tag)
{
  return {std::string(tag) + " is not allowed in a script",
          {"git-hop runs the scripts of a release in a transaction of its "
           "own and commits or rolls it back itself."},
          {"Remove it. Statements that cannot run inside a transaction "
           "block (CREATE INDEX CONCURRENTLY, VACUUM...) go in a script of "
           "their own, which git-hop runs outside any transaction."}};
}

detail::Refusal database_statement(std::string_view tag)
{
  return {std::string(tag) + " is not allowed in a script",
          {"A release changes the project's database; git-hop creates and "
           "drops databases itself."},
          {"Create or drop other databases outside the release's scripts."}};
}

// TransactionStmt.kind: its tag.
struct TransactionKind
{
  std::string_view kind;
  std::string_view tag;
};
constexpr TransactionKind k_transaction_kinds[] = {
    {"TRANS_STMT_BEGIN", "BEGIN"},
    {"TRANS_STMT_START", "START TRANSACTION"},
    {"TRANS_STMT_COMMIT", "COMMIT"},
    {"TRANS_STMT_ROLLBACK", "ROLLBACK"},
    {"TRANS_STMT_SAVEPOINT", "SAVEPOINT"},
    {"TRANS_STMT_RELEASE", "RELEASE"},
    {"TRANS_STMT_ROLLBACK_TO", "ROLLBACK TO SAVEPOINT"},
    {"TRANS_STMT_PREPARE", "PREPARE TRANSACTION"},
    {"TRANS_STMT_COMMIT_PREPARED", "COMMIT PREPARED"},
    {"TRANS_STMT_ROLLBACK_PREPARED", "ROLLBACK PREPARED"},
};

// Statements whose tag is fixed and that take no table lock worth
// reporting (PostgreSQL's CreateCommandTag(), tcop/utility.c).
struct Fixed
{
  std::string_view type;
  std::string_view tag;
};
constexpr Fixed k_fixed[] = {
    {"DoStmt", "DO"},
    {"CallStmt", "CALL"},
    {"CreateSchemaStmt", "CREATE SCHEMA"},
    {"CreateSeqStmt", "CREATE SEQUENCE"},
    {"CreateDomainStmt", "CREATE DOMAIN"},
    {"AlterDomainStmt", "ALTER DOMAIN"},
    {"CompositeTypeStmt", "CREATE TYPE"},
    {"CreateEnumStmt", "CREATE TYPE"},
    {"CreateRangeStmt", "CREATE TYPE"},
    {"AlterTypeStmt", "ALTER TYPE"},
    {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES"},
    {"CreateExtensionStmt", "CREATE EXTENSION"},
    {"AlterExtensionStmt", "ALTER EXTENSION"},
    {"AlterExtensionContentsStmt", "ALTER EXTENSION"},
    {"VariableShowStmt", "SHOW"},
    {"ConstraintsSetStmt", "SET CONSTRAINTS"},
    {"CreateRoleStmt", "CREATE ROLE"},
    {"AlterRoleStmt", "ALTER ROLE"},
    {"AlterRoleSetStmt", "ALTER ROLE"},
    {"DropRoleStmt", "DROP ROLE"},
    {"DropOwnedStmt", "DROP OWNED"},
    {"ReassignOwnedStmt", "REASSIGN OWNED"},
    {"SecLabelStmt", "SECURITY LABEL"},
    {"NotifyStmt", "NOTIFY"},
    {"ListenStmt", "LISTEN"},
    {"UnlistenStmt", "UNLISTEN"},
    {"LoadStmt", "LOAD"},
    {"CheckPointStmt", "CHECKPOINT"},
    {"ExecuteStmt", "EXECUTE"},
    {"AlterDatabaseSetStmt", "ALTER DATABASE"},
    {"AlterDatabaseRefreshCollStmt", "ALTER DATABASE"},
    {"AlterTableSpaceOptionsStmt", "ALTER TABLESPACE"},
    {"CreateConversionStmt", "CREATE CONVERSION"},
    {"CreateCastStmt", "CREATE CAST"},
    {"CreateOpClassStmt", "CREATE OPERATOR CLASS"},
    {"CreateOpFamilyStmt", "CREATE OPERATOR FAMILY"},
    {"AlterOpFamilyStmt", "ALTER OPERATOR FAMILY"},
    {"AlterOperatorStmt", "ALTER OPERATOR"},
    {"AlterTSDictionaryStmt", "ALTER TEXT SEARCH DICTIONARY"},
    {"AlterTSConfigurationStmt", "ALTER TEXT SEARCH CONFIGURATION"},
    {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER"},
    {"AlterFdwStmt", "ALTER FOREIGN DATA WRAPPER"},
    {"CreateForeignServerStmt", "CREATE SERVER"},
    {"AlterForeignServerStmt", "ALTER SERVER"},
    {"CreateUserMappingStmt", "CREATE USER MAPPING"},
    {"AlterUserMappingStmt", "ALTER USER MAPPING"},
    {"DropUserMappingStmt", "DROP USER MAPPING"},
    {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA"},
    {"CreateEventTrigStmt", "CREATE EVENT TRIGGER"},
    {"AlterEventTrigStmt", "ALTER EVENT TRIGGER"},
    {"CreatePLangStmt", "CREATE LANGUAGE"},
    {"CreateTransformStmt", "CREATE TRANSFORM"},
    {"CreateAmStmt", "CREATE ACCESS METHOD"},
    {"AlterCollationStmt", "ALTER COLLATION"},
    {"AlterStatsStmt", "ALTER STATISTICS"},
    {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
    {"DropTableSpaceStmt", "DROP TABLESPACE"},
    {"AlterSystemStmt", "ALTER SYSTEM"},
    {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
    {"AlterSubscriptionStmt", "ALTER SUBSCRIPTION"},
    {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
    {"AlterDatabaseStmt", "ALTER DATABASE"},
    {"AlterEnumStmt", "ALTER TYPE"},
};

// DefineStmt.kind: its tag.
constexpr Fixed k_define[] = {
    {"OBJECT_AGGREGATE", "CREATE AGGREGATE"},
    {"OBJECT_OPERATOR", "CREATE OPERATOR"},
    {"OBJECT_COLLATION", "CREATE COLLATION"},
    {"OBJECT_TSPARSER", "CREATE TEXT SEARCH PARSER"},
    {"OBJECT_TSDICTIONARY", "CREATE TEXT SEARCH DICTIONARY"},
    {"OBJECT_TSTEMPLATE", "CREATE TEXT SEARCH TEMPLATE"},
    {"OBJECT_TSCONFIGURATION", "CREATE TEXT SEARCH CONFIGURATION"},
};

template <size_t N>
std::string_view find_tag(const Fixed (&table)[N], std::string_view key,
                          std::string_view otherwise)
{
  for (const auto& f : table) {
    if (f.type == key) {
      return f.tag;
    }
  }
  return otherwise;
}

Kind Classifier::run(Value stmt)
{
  std::string_view type = stmt.type();
  Value s = stmt.fields();
  m_kind.tag = find_tag(k_fixed, type, "???");

  if (type == "TransactionStmt") {
    for (const auto& k : k_transaction_kinds) {
      if (k.kind == s["kind"].str()) {
        throw transaction_control(k.tag);
      }
    }
    throw transaction_control("transaction control");
  }
  if (type == "CreatedbStmt") {
    throw database_statement("CREATE DATABASE");
  }
  if (type == "DropdbStmt") {
    throw database_statement("DROP DATABASE");
  }

  // Plannable statements and those that hold one.
  if (type == "SelectStmt") {
    m_kind.tag = s["intoClause"] ? "SELECT INTO" : "SELECT";
    reads(s);
  } else if (type == "InsertStmt" || type == "UpdateStmt" ||
             type == "DeleteStmt" || type == "MergeStmt") {
    m_kind.tag = type == "InsertStmt"   ? "INSERT"
                 : type == "UpdateStmt" ? "UPDATE"
                 : type == "DeleteStmt" ? "DELETE"
                                        : "MERGE";
    reads(stmt);
  } else if (type == "CopyStmt") {
    m_kind.tag = "COPY";
    copy(s);
  } else if (type == "ExplainStmt") {
    m_kind.tag = "EXPLAIN";
    reads(s["query"]);
  } else if (type == "DeclareCursorStmt") {
    m_kind.tag = "DECLARE CURSOR";
    reads(s["query"]);
  } else if (type == "PrepareStmt") {
    m_kind.tag = "PREPARE";
    reads(s["query"]);
  } else if (type == "CreateTableAsStmt") {
    m_kind.tag = s["is_select_into"].boolean() ? "SELECT INTO"
                 : s["objtype"].str() == "OBJECT_MATVIEW"
                     ? "CREATE MATERIALIZED VIEW"
                     : "CREATE TABLE AS";
    reads(s["query"]);
  } else if (type == "ViewStmt") {
    m_kind.tag = "CREATE VIEW";
    if (s["replace"].boolean()) {
      lock(s["view"], R::replace_view);
    }
    reads(s["query"]);

    // Tables, indexes and their maintenance.
  } else if (type == "CreateStmt") {
    m_kind.tag = "CREATE TABLE";
    create_table(s);
  } else if (type == "CreateForeignTableStmt") {
    m_kind.tag = "CREATE FOREIGN TABLE";
    create_table(s["base"]);
  } else if (type == "IndexStmt") {
    m_kind.tag = "CREATE INDEX";
    bool concurrent = s["concurrent"].boolean();
    if (concurrent) {
      non_transactional(why::cic);
      if (s["idxname"].str().empty()) {
        throw detail::Refusal{
            "CREATE INDEX CONCURRENTLY needs an index name",
            {"An interrupted concurrent build leaves an INVALID index that "
             "git-hop finds by its name, to drop it and build it again."},
            {"Name the index: CREATE INDEX CONCURRENTLY <name> ON ..."}};
      }
      m_kind.concurrent_index = std::make_unique<Name>(
          Name{std::string(s["relation"]["schemaname"].str()),
               std::string(s["idxname"].str())});
    }
    lock(s["relation"],
         concurrent ? R::create_index_concurrently : R::create_index);
  } else if (type == "AlterTableStmt") {
    m_kind.tag = alter_tag(s["objtype"].str());
    alter_table(s);
  } else if (type == "RenameStmt") {
    std::string_view what = s["renameType"].str();
    std::string_view t = what;
    if (what == "OBJECT_COLUMN" || what == "OBJECT_TABCONSTRAINT") {
      t = s["relationType"].str();
    } else if (what == "OBJECT_ATTRIBUTE") {
      t = "OBJECT_TYPE";
    }
    m_kind.tag = alter_tag(t);
    if (s["relation"]) {
      lock(s["relation"], what == "OBJECT_INDEX" ? R::rename_index
                          : what == "OBJECT_TRIGGER" ||
                                  what == "OBJECT_POLICY" ||
                                  what == "OBJECT_RULE"
                              ? R::alter_table
                              : R::rename_relation);
    }
  } else if (type == "AlterObjectSchemaStmt" || type == "AlterOwnerStmt") {
    m_kind.tag = alter_tag(s["objectType"].str());
    if (is_relation(s["objectType"].str())) {
      lock(s["relation"], R::rename_relation);
    }
  } else if (type == "AlterObjectDependsStmt") {
    m_kind.tag = alter_tag(s["objectType"].str());
  } else if (type == "AlterTableMoveAllStmt") {
    m_kind.tag = alter_tag(s["objtype"].str());
    lock(Name{}, R::move_all, std::nullopt, true);
  } else if (type == "DropStmt") {
    drop(s);
  } else if (type == "TruncateStmt") {
    m_kind.tag = "TRUNCATE TABLE";
    for (Value r : s["relations"]) {
      lock(r, R::truncate);
    }
  } else if (type == "LockStmt") {
    m_kind.tag = "LOCK TABLE";
    long long mode = s["mode"].integer();
    L level = mode >= 1 && mode <= 8 ? k_lock_modes[mode] : L::access_exclusive;
    for (Value r : s["relations"]) {
      lock(r, R::lock_table, level);
    }
  } else if (type == "ReindexStmt") {
    m_kind.tag = "REINDEX";
    reindex(s);
  } else if (type == "VacuumStmt") {
    vacuum(s);
  } else if (type == "ClusterStmt") {
    m_kind.tag = "CLUSTER";
    if (s["relation"]) {
      lock(s["relation"], R::cluster);
    } else {
      non_transactional(why::cluster_all);
      lock(Name{}, R::cluster, std::nullopt, true);
    }
  } else if (type == "RefreshMatViewStmt") {
    m_kind.tag = "REFRESH MATERIALIZED VIEW";
    lock(s["relation"],
         s["concurrent"].boolean() ? R::refresh_concurrently : R::refresh);
  } else if (type == "AlterSeqStmt") {
    m_kind.tag = "ALTER SEQUENCE";
    lock(s["sequence"], R::alter_sequence);
  } else if (type == "CreateTrigStmt") {
    m_kind.tag = "CREATE TRIGGER";
    lock(s["relation"], R::create_trigger);
    lock(s["constrrel"], R::create_trigger);
  } else if (type == "RuleStmt") {
    m_kind.tag = "CREATE RULE";
    lock(s["relation"], R::rule);
  } else if (type == "CreatePolicyStmt" || type == "AlterPolicyStmt") {
    m_kind.tag = type == "CreatePolicyStmt" ? "CREATE POLICY" : "ALTER POLICY";
    lock(s["table"], R::policy);
  } else if (type == "CommentStmt") {
    m_kind.tag = "COMMENT";
    std::string_view t = s["objtype"].str();
    if (is_relation(t) || t == "OBJECT_COLUMN") {
      if (auto n = name_of_node(s["object"], t == "OBJECT_COLUMN" ? 1 : 0)) {
        lock(*n, R::comment);
      }
    }
  } else if (type == "CreateStatsStmt") {
    m_kind.tag = "CREATE STATISTICS";
    for (Value r : s["relations"]) {
      if (r.type() == "RangeVar") {
        lock(r, R::create_statistics);
      }
    }
  } else if (type == "CreatePublicationStmt" ||
             type == "AlterPublicationStmt") {
    m_kind.tag = type == "CreatePublicationStmt" ? "CREATE PUBLICATION"
                                                 : "ALTER PUBLICATION";
    for (Value o : s["pubobjects"]) {
      if (o.type() == "PublicationObjSpec") {
        lock(o.fields()["pubtable"]["relation"], R::publication);
      }
    }

    // Statements that cannot run inside a transaction block.
  } else if (type == "CreateTableSpaceStmt") {
    non_transactional(why::create_tablespace);
  } else if (type == "DropTableSpaceStmt") {
    non_transactional(why::drop_tablespace);
  } else if (type == "AlterSystemStmt") {
    non_transactional(why::alter_system);
  } else if (type == "CreateSubscriptionStmt") {
    create_subscription(s["options"]);
  } else if (type == "AlterSubscriptionStmt") {
    alter_subscription(s);
  } else if (type == "DropSubscriptionStmt") {
    non_transactional(why::drop_subscription);
  } else if (type == "DiscardStmt") {
    std::string_view target = s["target"].str();
    m_kind.tag = target == "DISCARD_ALL"         ? "DISCARD ALL"
                 : target == "DISCARD_PLANS"     ? "DISCARD PLANS"
                 : target == "DISCARD_SEQUENCES" ? "DISCARD SEQUENCES"
                                                 : "DISCARD TEMP";
    if (target == "DISCARD_ALL") {
      non_transactional(why::discard_all);
    }
  } else if (type == "AlterDatabaseStmt") {
    if (def(s["options"], "tablespace")) {
      non_transactional(why::alter_database_tablespace);
    }
  } else if (type == "AlterEnumStmt") {
    m_kind.enum_add_value = s["oldVal"].str().empty();

    // The tag only.
  } else if (type == "CreateFunctionStmt") {
    m_kind.tag =
        s["is_procedure"].boolean() ? "CREATE PROCEDURE" : "CREATE FUNCTION";
  } else if (type == "DefineStmt") {
    m_kind.tag = find_tag(k_define, s["kind"].str(), "CREATE TYPE");
  } else if (type == "AlterFunctionStmt") {
    std::string_view t = s["objtype"].str();
    m_kind.tag = t == "OBJECT_PROCEDURE" ? "ALTER PROCEDURE"
                 : t == "OBJECT_ROUTINE" ? "ALTER ROUTINE"
                                         : "ALTER FUNCTION";
  } else if (type == "GrantStmt") {
    m_kind.tag = s["is_grant"].boolean() ? "GRANT" : "REVOKE";
  } else if (type == "GrantRoleStmt") {
    m_kind.tag = s["is_grant"].boolean() ? "GRANT ROLE" : "REVOKE ROLE";
  } else if (type == "VariableSetStmt") {
    std::string_view k = s["kind"].str();
    m_kind.tag = k == "VAR_RESET" || k == "VAR_RESET_ALL" ? "RESET" : "SET";
  } else if (type == "DeallocateStmt") {
    m_kind.tag = s["name"].str().empty() ? "DEALLOCATE ALL" : "DEALLOCATE";
  } else if (type == "FetchStmt") {
    m_kind.tag = s["ismove"].boolean() ? "MOVE" : "FETCH";
  } else if (type == "ClosePortalStmt") {
    m_kind.tag =
        s["portalname"].str().empty() ? "CLOSE CURSOR ALL" : "CLOSE CURSOR";
  }
  return std::move(m_kind);
}

} // namespace

std::span<const Rule> lock_rules()
{
  return k_rules;
}

namespace detail {

Kind classify(Value stmt)
{
  return Classifier().run(stmt);
}

Refusal meta_command(std::string_view command)
{
  return {"psql meta-command " + std::string(command) + " is not supported",
          {"git-hop sends each statement to the server itself; psql's "
           "backslash commands mean nothing there."},
          {"Write plain SQL (SET, a schema-qualified name...), or use a .py "
           "script for the rest."}};
}

} // namespace detail

} // namespace hop::sql
