#include "classify.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace hop::sql {

namespace {

using L = LockLevel;

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

std::string_view str(const char* s)
{
  return s ? std::string_view(s) : std::string_view();
}

Name name_of(const PgQuery__RangeVar* rv)
{
  return {std::string(str(rv->schemaname)), std::string(str(rv->relname))};
}

const char* sval(const PgQuery__Node* n)
{
  if (n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string) {
    return n->string->sval;
  }
  return nullptr;
}

// A qualified name given as a list of String nodes, less `drop` trailing
// parts (DROP TRIGGER t ON s.tab: [s, tab, t]).
std::optional<Name> name_of_list(PgQuery__Node* const* items, size_t n,
                                 size_t drop = 0)
{
  if (n < drop + 1) {
    return std::nullopt;
  }
  n -= drop;
  std::vector<std::string_view> parts;
  for (size_t i = 0; i < n; ++i) {
    const char* s = sval(items[i]);
    if (!s) {
      return std::nullopt;
    }
    parts.emplace_back(s);
  }
  // [catalog.]schema.name: the catalog can only be the current database.
  Name name{"", std::string(parts.back())};
  if (parts.size() >= 2) {
    name.schema = std::string(parts[parts.size() - 2]);
  }
  return name;
}

std::optional<Name> name_of_node(const PgQuery__Node* n, size_t drop = 0)
{
  if (!n) {
    return std::nullopt;
  }
  if (n->node_case == PG_QUERY__NODE__NODE_LIST && n->list) {
    return name_of_list(n->list->items, n->list->n_items, drop);
  }
  if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && n->range_var) {
    return name_of(n->range_var);
  }
  if (drop == 0 && sval(n)) {
    return Name{"", sval(n)};
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

// defGetBoolean(): no argument is true.
bool def_bool(const PgQuery__DefElem* d)
{
  if (!d->arg) {
    return true;
  }
  if (const char* s = sval(d->arg)) {
    std::string v = lower(s);
    return !(v == "false" || v == "off" || v == "no" || v == "0" || v == "of" ||
             v == "f" || v == "n");
  }
  if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER && d->arg->integer) {
    return d->arg->integer->ival != 0;
  }
  if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN && d->arg->boolean) {
    return d->arg->boolean->boolval;
  }
  return true;
}

const PgQuery__DefElem* def(PgQuery__Node* const* options, size_t n,
                            std::string_view name)
{
  for (size_t i = 0; i < n; ++i) {
    const PgQuery__Node* o = options[i];
    if (o && o->node_case == PG_QUERY__NODE__NODE_DEF_ELEM && o->def_elem &&
        str(o->def_elem->defname) == name) {
      return o->def_elem;
    }
  }
  return nullptr;
}

// The command tags of the statements whose tag depends on an object type.
struct Words
{
  PgQuery__ObjectType type;
  std::string_view drop;
  std::string_view alter;
};
constexpr Words k_words[] = {
    {PG_QUERY__OBJECT_TYPE__OBJECT_ACCESS_METHOD, "DROP ACCESS METHOD",
     "ALTER ACCESS METHOD"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE, "DROP AGGREGATE",
     "ALTER AGGREGATE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_CAST, "DROP CAST", "ALTER CAST"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION, "DROP COLLATION",
     "ALTER COLLATION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_CONVERSION, "DROP CONVERSION",
     "ALTER CONVERSION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE, "DROP DATABASE", "ALTER DATABASE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_DOMAIN, "DROP DOMAIN", "ALTER DOMAIN"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_DOMCONSTRAINT, "ALTER DOMAIN",
     "ALTER DOMAIN"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_EVENT_TRIGGER, "DROP EVENT TRIGGER",
     "ALTER EVENT TRIGGER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_EXTENSION, "DROP EXTENSION",
     "ALTER EXTENSION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FDW, "DROP FOREIGN DATA WRAPPER",
     "ALTER FOREIGN DATA WRAPPER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_SERVER, "DROP SERVER",
     "ALTER SERVER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE, "DROP FOREIGN TABLE",
     "ALTER FOREIGN TABLE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_FUNCTION, "DROP FUNCTION", "ALTER FUNCTION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_INDEX, "DROP INDEX", "ALTER INDEX"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_LANGUAGE, "DROP LANGUAGE", "ALTER LANGUAGE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_LARGEOBJECT, "DROP LARGE OBJECT",
     "ALTER LARGE OBJECT"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW, "DROP MATERIALIZED VIEW",
     "ALTER MATERIALIZED VIEW"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_OPCLASS, "DROP OPERATOR CLASS",
     "ALTER OPERATOR CLASS"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_OPERATOR, "DROP OPERATOR", "ALTER OPERATOR"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_OPFAMILY, "DROP OPERATOR FAMILY",
     "ALTER OPERATOR FAMILY"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_POLICY, "DROP POLICY", "ALTER POLICY"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE, "DROP PROCEDURE",
     "ALTER PROCEDURE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_PUBLICATION, "DROP PUBLICATION",
     "ALTER PUBLICATION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_ROLE, "DROP ROLE", "ALTER ROLE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE, "DROP ROUTINE", "ALTER ROUTINE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_RULE, "DROP RULE", "ALTER RULE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA, "DROP SCHEMA", "ALTER SCHEMA"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE, "DROP SEQUENCE", "ALTER SEQUENCE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_SUBSCRIPTION, "DROP SUBSCRIPTION",
     "ALTER SUBSCRIPTION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_STATISTIC_EXT, "DROP STATISTICS",
     "ALTER STATISTICS"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TABLE, "DROP TABLE", "ALTER TABLE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TABLESPACE, "DROP TABLESPACE",
     "ALTER TABLESPACE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TRANSFORM, "DROP TRANSFORM",
     "ALTER TRANSFORM"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER, "DROP TRIGGER", "ALTER TRIGGER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TSCONFIGURATION,
     "DROP TEXT SEARCH CONFIGURATION", "ALTER TEXT SEARCH CONFIGURATION"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TSDICTIONARY, "DROP TEXT SEARCH DICTIONARY",
     "ALTER TEXT SEARCH DICTIONARY"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TSPARSER, "DROP TEXT SEARCH PARSER",
     "ALTER TEXT SEARCH PARSER"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TSTEMPLATE, "DROP TEXT SEARCH TEMPLATE",
     "ALTER TEXT SEARCH TEMPLATE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_TYPE, "DROP TYPE", "ALTER TYPE"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_USER_MAPPING, "DROP USER MAPPING",
     "ALTER USER MAPPING"},
    {PG_QUERY__OBJECT_TYPE__OBJECT_VIEW, "DROP VIEW", "ALTER VIEW"},
};

const Words* words(PgQuery__ObjectType t)
{
  for (const auto& w : k_words) {
    if (w.type == t) {
      return &w;
    }
  }
  return nullptr;
}

std::string_view drop_tag(PgQuery__ObjectType t)
{
  const Words* w = words(t);
  return w ? w->drop : "DROP";
}

std::string_view alter_tag(PgQuery__ObjectType t)
{
  const Words* w = words(t);
  return w ? w->alter : "ALTER";
}

bool is_relation(PgQuery__ObjectType t)
{
  switch (t) {
  case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
  case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
  case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
    return true;
  default:
    return false;
  }
}

// Call `f` on every message directly inside `m`: the one member of a Node,
// every message field (repeated or not) of anything else. Goes through
// the protobuf-c descriptors, so it knows every node type.
template <class F>
void children(const ProtobufCMessage* m, F&& f)
{
  const ProtobufCMessageDescriptor* d = m->descriptor;
  const char* base = reinterpret_cast<const char*>(m);
  auto at = [base](const ProtobufCFieldDescriptor& fd) {
    return *reinterpret_cast<const ProtobufCMessage* const*>(base + fd.offset);
  };
  if (d == &pg_query__node__descriptor) {
    auto* n = reinterpret_cast<const PgQuery__Node*>(m);
    const ProtobufCFieldDescriptor* fd =
        protobuf_c_message_descriptor_get_field(
            d, static_cast<unsigned>(n->node_case));
    if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && at(*fd)) {
      f(at(*fd));
    }
    return;
  }
  for (unsigned i = 0; i < d->n_fields; ++i) {
    const ProtobufCFieldDescriptor& fd = d->fields[i];
    if (fd.type != PROTOBUF_C_TYPE_MESSAGE) {
      continue;
    }
    if ((fd.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
        *reinterpret_cast<const uint32_t*>(base + fd.quantifier_offset) !=
            fd.id) {
      continue;
    }
    if (fd.label == PROTOBUF_C_LABEL_REPEATED) {
      size_t n = *reinterpret_cast<const size_t*>(base + fd.quantifier_offset);
      auto items =
          *reinterpret_cast<ProtobufCMessage* const* const*>(base + fd.offset);
      for (size_t k = 0; k < n; ++k) {
        if (items[k]) {
          f(items[k]);
        }
      }
    } else if (at(fd)) {
      f(at(fd));
    }
  }
}

// Every RangeVar of a query, the tables its INSERT/UPDATE/DELETE/MERGE
// parts write, the names of its CTEs, and whether it locks rows (FOR
// UPDATE...). Walks the protobuf-c messages through their descriptors.
struct Walk
{
  std::vector<const PgQuery__RangeVar*> relations;
  std::vector<std::pair<const PgQuery__RangeVar*, R>> writes;
  std::vector<std::string_view> ctes;
  bool locking = false;

  void visit(const ProtobufCMessage* m)
  {
    const ProtobufCMessageDescriptor* d = m->descriptor;
    if (d == &pg_query__range_var__descriptor) {
      relations.push_back(reinterpret_cast<const PgQuery__RangeVar*>(m));
      return;
    }
    if (d == &pg_query__locking_clause__descriptor) {
      locking = true; // its RangeVars are the FROM items' names
      return;
    }
    if (d == &pg_query__into_clause__descriptor) {
      return; // SELECT INTO: a new table
    }
    if (d == &pg_query__common_table_expr__descriptor) {
      ctes.push_back(
          str(reinterpret_cast<const PgQuery__CommonTableExpr*>(m)->ctename));
    } else if (d == &pg_query__insert_stmt__descriptor) {
      writes.emplace_back(
          reinterpret_cast<const PgQuery__InsertStmt*>(m)->relation, R::insert);
    } else if (d == &pg_query__update_stmt__descriptor) {
      writes.emplace_back(
          reinterpret_cast<const PgQuery__UpdateStmt*>(m)->relation, R::update);
    } else if (d == &pg_query__delete_stmt__descriptor) {
      writes.emplace_back(
          reinterpret_cast<const PgQuery__DeleteStmt*>(m)->relation,
          R::delete_);
    } else if (d == &pg_query__merge_stmt__descriptor) {
      writes.emplace_back(
          reinterpret_cast<const PgQuery__MergeStmt*>(m)->relation, R::merge);
    }
    children(m, [this](const ProtobufCMessage* c) { visit(c); });
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

// A volatile function call in `expr`, or a subquery.
struct Volatile
{
  bool found = false;

  void visit(const ProtobufCMessage* m)
  {
    if (found) {
      return;
    }
    const ProtobufCMessageDescriptor* d = m->descriptor;
    if (d == &pg_query__func_call__descriptor) {
      auto* f = reinterpret_cast<const PgQuery__FuncCall*>(m);
      const char* name =
          f->n_funcname ? sval(f->funcname[f->n_funcname - 1]) : nullptr;
      std::string n = lower(str(name));
      if (std::find(std::begin(k_stable_functions),
                    std::end(k_stable_functions),
                    n) == std::end(k_stable_functions)) {
        found = true;
        return;
      }
    } else if (d == &pg_query__sub_link__descriptor) {
      found = true;
      return;
    }
    children(m, [this](const ProtobufCMessage* c) { visit(c); });
  }
};

bool is_volatile(const PgQuery__Node* expr)
{
  Volatile v;
  v.visit(reinterpret_cast<const ProtobufCMessage*>(expr));
  return v.found;
}

bool is_serial(const PgQuery__TypeName* t)
{
  if (!t || t->n_names == 0) {
    return false;
  }
  std::string n = lower(str(sval(t->names[t->n_names - 1])));
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

bool light_reloptions(const PgQuery__Node* def)
{
  if (!def || def->node_case != PG_QUERY__NODE__NODE_LIST || !def->list) {
    return false;
  }
  for (size_t i = 0; i < def->list->n_items; ++i) {
    const PgQuery__Node* o = def->list->items[i];
    if (!o || o->node_case != PG_QUERY__NODE__NODE_DEF_ELEM || !o->def_elem) {
      return false;
    }
    std::string n(str(o->def_elem->defname));
    if (!str(o->def_elem->defnamespace).empty()) {
      n = std::string(str(o->def_elem->defnamespace)) + "." + n;
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
  Kind run(const PgQuery__Node& n);

private:
  void lock(const Name& name, R r, std::optional<L> level = std::nullopt,
            bool all_tables = false);
  void lock(const PgQuery__RangeVar* rv, R r,
            std::optional<L> level = std::nullopt)
  {
    if (rv) {
      lock(name_of(rv), r, level);
    }
  }
  void reads(const void* query);
  void non_transactional(std::string_view why)
  {
    m_kind.transactional = false;
    m_kind.non_transactional = why;
  }
  void alter_table(const PgQuery__AlterTableStmt& s);
  void add_column(const PgQuery__RangeVar* table,
                  const PgQuery__ColumnDef& column);
  void add_constraint(const PgQuery__RangeVar* table,
                      const PgQuery__Constraint& c);
  void create_table(const PgQuery__CreateStmt& s);
  void drop(const PgQuery__DropStmt& s);
  void reindex(const PgQuery__ReindexStmt& s);
  void vacuum(const PgQuery__VacuumStmt& s);
  void copy(const PgQuery__CopyStmt& s);
  void subscription_options(PgQuery__Node* const* options, size_t n);

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

void Classifier::reads(const void* query)
{
  if (!query) {
    return;
  }
  Walk w;
  w.visit(static_cast<const ProtobufCMessage*>(query));
  for (const auto& [rv, r] : w.writes) {
    lock(rv, r);
  }
  for (const PgQuery__RangeVar* rv : w.relations) {
    bool written = std::any_of(w.writes.begin(), w.writes.end(),
                               [rv](const auto& wr) { return wr.first == rv; });
    bool cte = str(rv->schemaname).empty() &&
               std::find(w.ctes.begin(), w.ctes.end(), str(rv->relname)) !=
                   w.ctes.end();
    if (!written && !cte) {
      lock(rv, w.locking ? R::select_for : R::select);
    }
  }
}

void Classifier::add_constraint(const PgQuery__RangeVar* table,
                                const PgQuery__Constraint& c)
{
  switch (c.contype) {
  case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
    lock(table, c.skip_validation ? R::add_check_not_valid : R::add_check);
    break;
  case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN: {
    R r = c.skip_validation ? R::add_foreign_key_not_valid : R::add_foreign_key;
    lock(table, r);
    // The referenced table is not scanned.
    lock(c.pktable, R::add_foreign_key_not_valid);
    break;
  }
  case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
  case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
  case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
    lock(table, str(c.indexname).empty() ? R::add_index_constraint
                                         : R::add_using_index);
    break;
  default:
    lock(table, R::alter_table);
  }
}

void Classifier::add_column(const PgQuery__RangeVar* table,
                            const PgQuery__ColumnDef& column)
{
  bool rewrite = is_serial(column.type_name) ||
                 (column.raw_default && is_volatile(column.raw_default));
  bool has_default = column.raw_default != nullptr;
  bool not_null = column.is_not_null;
  for (size_t i = 0; i < column.n_constraints; ++i) {
    const PgQuery__Node* n = column.constraints[i];
    if (!n || n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT) {
      continue;
    }
    const PgQuery__Constraint& c = *n->constraint;
    switch (c.contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
      has_default = true;
      rewrite = rewrite || (c.raw_expr && is_volatile(c.raw_expr));
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
      rewrite = true;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
      rewrite = true; // GENERATED ALWAYS AS (...) STORED
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
      not_null = true;
      break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
      add_constraint(table, c);
      break;
    default:
      break;
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

void Classifier::alter_table(const PgQuery__AlterTableStmt& s)
{
  const PgQuery__RangeVar* t = s.relation;
  bool index = s.objtype == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX;
  for (size_t i = 0; i < s.n_cmds; ++i) {
    const PgQuery__Node* n = s.cmds[i];
    if (!n || n->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD) {
      continue;
    }
    const PgQuery__AlterTableCmd& c = *n->alter_table_cmd;
    const PgQuery__Node* d = c.def;
    switch (c.subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumnRecurse:
      if (d && d->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
        add_column(t, *d->column_def);
      } else {
        lock(t, R::alter_table);
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
      lock(t, R::alter_column_type);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
      lock(t, R::set_not_null);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraintRecurse:
      if (d && d->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
        add_constraint(t, *d->constraint);
      } else {
        lock(t, R::alter_table);
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraint:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ValidateConstraintRecurse:
      lock(t, R::validate_constraint);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetStatistics:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ClusterOn:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropCluster:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartitionFinalize:
      lock(t, R::alter_table_light);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetRelOptions:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_ResetRelOptions:
      lock(t, light_reloptions(d) ? R::alter_table_light
                                  : (index ? R::alter_index : R::alter_table));
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableAlwaysTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableReplicaTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrig:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigAll:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_EnableTrigUser:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DisableTrigUser:
      lock(t, R::trigger_enable);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetTableSpace:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetAccessMethod:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetLogged:
    case PG_QUERY__ALTER_TABLE_TYPE__AT_SetUnLogged:
      lock(t, R::table_rewrite);
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AttachPartition:
      if (index) {
        lock(t, R::alter_index);
        break;
      }
      lock(t, R::attach_parent);
      if (d && d->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD) {
        lock(d->partition_cmd->name, R::attach_partition);
      }
      break;
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DetachPartition:
      if (d && d->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
          d->partition_cmd->concurrent) {
        non_transactional(why::detach);
        lock(t, R::detach_concurrently_parent);
        lock(d->partition_cmd->name, R::detach_concurrently);
      } else {
        lock(t, R::detach_partition);
        if (d && d->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD) {
          lock(d->partition_cmd->name, R::detach_partition);
        }
      }
      break;
    default:
      lock(t, index ? R::alter_index : R::alter_table);
    }
  }
}

void Classifier::create_table(const PgQuery__CreateStmt& s)
{
  for (size_t i = 0; i < s.n_inh_relations; ++i) {
    const PgQuery__Node* n = s.inh_relations[i];
    if (n && n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
      lock(n->range_var,
           s.partbound ? R::create_partition_of : R::create_inherits);
    }
  }
  auto references = [&](const PgQuery__Node* n) {
    if (n && n->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
        n->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN) {
      lock(n->constraint->pktable, R::create_references);
    }
  };
  for (size_t i = 0; i < s.n_table_elts; ++i) {
    const PgQuery__Node* n = s.table_elts[i];
    if (!n) {
      continue;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
      for (size_t k = 0; k < n->column_def->n_constraints; ++k) {
        references(n->column_def->constraints[k]);
      }
    } else if (n->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
      lock(n->table_like_clause->relation, R::create_like);
    } else {
      references(n);
    }
  }
  for (size_t i = 0; i < s.n_constraints; ++i) {
    references(s.constraints[i]);
  }
}

void Classifier::drop(const PgQuery__DropStmt& s)
{
  m_kind.tag = drop_tag(s.remove_type);
  switch (s.remove_type) {
  case PG_QUERY__OBJECT_TYPE__OBJECT_DATABASE:
    break; // DROP DATABASE is its own statement; not reached
  case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
    if (s.concurrent) {
      non_transactional(why::dic);
    }
    for (size_t i = 0; i < s.n_objects; ++i) {
      if (auto n = name_of_node(s.objects[i])) {
        lock(*n, s.concurrent ? R::drop_index_concurrently : R::drop_index);
      }
    }
    break;
  case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
  case PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW:
  case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_FOREIGN_TABLE:
    for (size_t i = 0; i < s.n_objects; ++i) {
      if (auto n = name_of_node(s.objects[i])) {
        lock(*n, R::drop_relation);
      }
    }
    break;
  case PG_QUERY__OBJECT_TYPE__OBJECT_SCHEMA:
    if (s.behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE) {
      for (size_t i = 0; i < s.n_objects; ++i) {
        if (const char* schema = sval(s.objects[i])) {
          lock(Name{schema, ""}, R::drop_schema_cascade, std::nullopt, true);
        }
      }
    }
    break;
  case PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER:
  case PG_QUERY__OBJECT_TYPE__OBJECT_RULE:
  case PG_QUERY__OBJECT_TYPE__OBJECT_POLICY: {
    R r = s.remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER
              ? R::drop_trigger
          : s.remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE ? R::rule
                                                                : R::policy;
    for (size_t i = 0; i < s.n_objects; ++i) {
      if (auto n = name_of_node(s.objects[i], 1)) {
        lock(*n, r);
      }
    }
    break;
  }
  default:
    break;
  }
}

void Classifier::reindex(const PgQuery__ReindexStmt& s)
{
  bool concurrently = false;
  if (const PgQuery__DefElem* d = def(s.params, s.n_params, "concurrently")) {
    concurrently = def_bool(d);
  }
  if (concurrently) {
    non_transactional(why::ric);
  }
  switch (s.kind) {
  case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX:
    lock(s.relation, concurrently ? R::reindex_concurrently : R::reindex_index);
    break;
  case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE:
    lock(s.relation, concurrently ? R::reindex_concurrently : R::reindex_table);
    break;
  case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
    if (!concurrently) {
      non_transactional(why::reindex_schema);
    }
    lock(Name{std::string(str(s.name)), ""},
         concurrently ? R::reindex_concurrently : R::reindex_all, std::nullopt,
         true);
    break;
  case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM:
  case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
    if (!concurrently) {
      non_transactional(
          s.kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM
              ? why::reindex_system
              : why::reindex_database);
    }
    lock(Name{}, concurrently ? R::reindex_concurrently : R::reindex_all,
         std::nullopt, true);
    break;
  default:
    break;
  }
}

void Classifier::vacuum(const PgQuery__VacuumStmt& s)
{
  // VACUUM ANALYZE takes VACUUM's lock.
  bool full = false;
  if (const PgQuery__DefElem* d = def(s.options, s.n_options, "full")) {
    full = def_bool(d);
  }
  R r = !s.is_vacuumcmd ? R::analyze : full ? R::vacuum_full : R::vacuum;
  if (s.is_vacuumcmd) {
    m_kind.tag = "VACUUM";
    non_transactional(why::vacuum);
  } else {
    m_kind.tag = "ANALYZE";
  }
  if (s.n_rels == 0) {
    lock(Name{}, r, std::nullopt, true);
    return;
  }
  for (size_t i = 0; i < s.n_rels; ++i) {
    const PgQuery__Node* n = s.rels[i];
    if (n && n->node_case == PG_QUERY__NODE__NODE_VACUUM_RELATION &&
        n->vacuum_relation->relation) {
      lock(n->vacuum_relation->relation, r);
    }
  }
}

void Classifier::copy(const PgQuery__CopyStmt& s)
{
  if (str(s.filename).empty() && !s.is_program) {
    if (s.is_from) {
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
  if (s.relation) {
    lock(s.relation, s.is_from ? R::copy_from : R::copy_to);
  }
  if (s.query) {
    reads(s.query);
  }
}

void Classifier::subscription_options(PgQuery__Node* const* options, size_t n)
{
  bool connect = true;
  if (const PgQuery__DefElem* d = def(options, n, "connect")) {
    connect = def_bool(d);
  }
  bool create_slot = connect;
  if (const PgQuery__DefElem* d = def(options, n, "create_slot")) {
    create_slot = def_bool(d);
  }
  if (create_slot) {
    non_transactional(why::create_subscription);
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

std::string_view transaction_tag(PgQuery__TransactionStmtKind k)
{
  switch (k) {
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    return "BEGIN";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
    return "START TRANSACTION";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
    return "COMMIT";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
    return "ROLLBACK";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
    return "SAVEPOINT";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
    return "RELEASE";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
    return "PREPARE TRANSACTION";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT_PREPARED:
    return "COMMIT PREPARED";
  case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_PREPARED:
    return "ROLLBACK PREPARED";
  default:
    return "transaction control";
  }
}

Kind Classifier::run(const PgQuery__Node& n)
{
  switch (n.node_case) {
  case PG_QUERY__NODE__NODE_TRANSACTION_STMT: {
    std::string_view tag = transaction_tag(n.transaction_stmt->kind);
    if (n.transaction_stmt->kind ==
        PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO) {
      throw transaction_control("ROLLBACK TO SAVEPOINT");
    }
    throw transaction_control(tag);
  }
  case PG_QUERY__NODE__NODE_CREATEDB_STMT:
    throw database_statement("CREATE DATABASE");
  case PG_QUERY__NODE__NODE_DROPDB_STMT:
    throw database_statement("DROP DATABASE");

  // Plannable statements.
  case PG_QUERY__NODE__NODE_SELECT_STMT:
    m_kind.tag = n.select_stmt->into_clause ? "SELECT INTO" : "SELECT";
    reads(n.select_stmt);
    break;
  case PG_QUERY__NODE__NODE_INSERT_STMT:
    m_kind.tag = "INSERT";
    reads(n.insert_stmt);
    break;
  case PG_QUERY__NODE__NODE_UPDATE_STMT:
    m_kind.tag = "UPDATE";
    reads(n.update_stmt);
    break;
  case PG_QUERY__NODE__NODE_DELETE_STMT:
    m_kind.tag = "DELETE";
    reads(n.delete_stmt);
    break;
  case PG_QUERY__NODE__NODE_MERGE_STMT:
    m_kind.tag = "MERGE";
    reads(n.merge_stmt);
    break;
  case PG_QUERY__NODE__NODE_COPY_STMT:
    m_kind.tag = "COPY";
    copy(*n.copy_stmt);
    break;
  case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
    m_kind.tag = "EXPLAIN";
    reads(n.explain_stmt->query);
    break;
  case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
    m_kind.tag = "DECLARE CURSOR";
    reads(n.declare_cursor_stmt->query);
    break;
  case PG_QUERY__NODE__NODE_PREPARE_STMT:
    m_kind.tag = "PREPARE";
    reads(n.prepare_stmt->query);
    break;
  case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT: {
    const auto& s = *n.create_table_as_stmt;
    m_kind.tag = s.is_select_into ? "SELECT INTO"
                 : s.objtype == PG_QUERY__OBJECT_TYPE__OBJECT_MATVIEW
                     ? "CREATE MATERIALIZED VIEW"
                     : "CREATE TABLE AS";
    reads(s.query);
    break;
  }
  case PG_QUERY__NODE__NODE_VIEW_STMT:
    m_kind.tag = "CREATE VIEW";
    if (n.view_stmt->replace) {
      lock(n.view_stmt->view, R::replace_view);
    }
    reads(n.view_stmt->query);
    break;

  // Tables, indexes and their maintenance.
  case PG_QUERY__NODE__NODE_CREATE_STMT:
    m_kind.tag = "CREATE TABLE";
    create_table(*n.create_stmt);
    break;
  case PG_QUERY__NODE__NODE_CREATE_FOREIGN_TABLE_STMT:
    m_kind.tag = "CREATE FOREIGN TABLE";
    if (n.create_foreign_table_stmt->base_stmt) {
      create_table(*n.create_foreign_table_stmt->base_stmt);
    }
    break;
  case PG_QUERY__NODE__NODE_INDEX_STMT: {
    const auto& s = *n.index_stmt;
    m_kind.tag = "CREATE INDEX";
    if (s.concurrent) {
      non_transactional(why::cic);
      if (str(s.idxname).empty()) {
        throw detail::Refusal{
            "CREATE INDEX CONCURRENTLY needs an index name",
            {"An interrupted concurrent build leaves an INVALID index that "
             "git-hop finds by its name, to drop it and build it again."},
            {"Name the index: CREATE INDEX CONCURRENTLY <name> ON ..."}};
      }
      m_kind.concurrent_index = std::make_unique<Name>(Name{
          s.relation ? std::string(str(s.relation->schemaname)) : std::string(),
          std::string(str(s.idxname))});
    }
    lock(s.relation,
         s.concurrent ? R::create_index_concurrently : R::create_index);
    break;
  }
  case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
    m_kind.tag = alter_tag(n.alter_table_stmt->objtype);
    alter_table(*n.alter_table_stmt);
    break;
  case PG_QUERY__NODE__NODE_RENAME_STMT: {
    const auto& s = *n.rename_stmt;
    PgQuery__ObjectType t = s.rename_type;
    if (t == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN ||
        t == PG_QUERY__OBJECT_TYPE__OBJECT_TABCONSTRAINT ||
        t == PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE) {
      t = t == PG_QUERY__OBJECT_TYPE__OBJECT_ATTRIBUTE
              ? PG_QUERY__OBJECT_TYPE__OBJECT_TYPE
              : s.relation_type;
    }
    m_kind.tag = alter_tag(t);
    if (s.relation) {
      if (s.rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX) {
        lock(s.relation, R::rename_index);
      } else if (s.rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TRIGGER ||
                 s.rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_POLICY ||
                 s.rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_RULE) {
        lock(s.relation, R::alter_table);
      } else {
        lock(s.relation, R::rename_relation);
      }
    }
    break;
  }
  case PG_QUERY__NODE__NODE_ALTER_OBJECT_SCHEMA_STMT: {
    const auto& s = *n.alter_object_schema_stmt;
    m_kind.tag = alter_tag(s.object_type);
    if (s.relation && is_relation(s.object_type)) {
      lock(s.relation, R::rename_relation);
    }
    break;
  }
  case PG_QUERY__NODE__NODE_ALTER_OWNER_STMT: {
    const auto& s = *n.alter_owner_stmt;
    m_kind.tag = alter_tag(s.object_type);
    if (s.relation && is_relation(s.object_type)) {
      lock(s.relation, R::rename_relation);
    }
    break;
  }
  case PG_QUERY__NODE__NODE_ALTER_TABLE_MOVE_ALL_STMT:
    m_kind.tag = alter_tag(n.alter_table_move_all_stmt->objtype);
    lock(Name{}, R::move_all, std::nullopt, true);
    break;
  case PG_QUERY__NODE__NODE_DROP_STMT:
    drop(*n.drop_stmt);
    break;
  case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
    m_kind.tag = "TRUNCATE TABLE";
    for (size_t i = 0; i < n.truncate_stmt->n_relations; ++i) {
      const PgQuery__Node* r = n.truncate_stmt->relations[i];
      if (r && r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        lock(r->range_var, R::truncate);
      }
    }
    break;
  case PG_QUERY__NODE__NODE_LOCK_STMT: {
    const auto& s = *n.lock_stmt;
    m_kind.tag = "LOCK TABLE";
    L level = s.mode >= 1 && s.mode <= 8
                  ? k_lock_modes[static_cast<size_t>(s.mode)]
                  : L::access_exclusive;
    for (size_t i = 0; i < s.n_relations; ++i) {
      const PgQuery__Node* r = s.relations[i];
      if (r && r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        lock(r->range_var, R::lock_table, level);
      }
    }
    break;
  }
  case PG_QUERY__NODE__NODE_REINDEX_STMT:
    m_kind.tag = "REINDEX";
    reindex(*n.reindex_stmt);
    break;
  case PG_QUERY__NODE__NODE_VACUUM_STMT:
    vacuum(*n.vacuum_stmt);
    break;
  case PG_QUERY__NODE__NODE_CLUSTER_STMT:
    m_kind.tag = "CLUSTER";
    if (n.cluster_stmt->relation) {
      lock(n.cluster_stmt->relation, R::cluster);
    } else {
      non_transactional(why::cluster_all);
      lock(Name{}, R::cluster, std::nullopt, true);
    }
    break;
  case PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT:
    m_kind.tag = "REFRESH MATERIALIZED VIEW";
    lock(n.refresh_mat_view_stmt->relation, n.refresh_mat_view_stmt->concurrent
                                                ? R::refresh_concurrently
                                                : R::refresh);
    break;
  case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
    m_kind.tag = "ALTER SEQUENCE";
    lock(n.alter_seq_stmt->sequence, R::alter_sequence);
    break;
  case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
    m_kind.tag = "CREATE TRIGGER";
    lock(n.create_trig_stmt->relation, R::create_trigger);
    if (n.create_trig_stmt->constrrel) {
      lock(n.create_trig_stmt->constrrel, R::create_trigger);
    }
    break;
  case PG_QUERY__NODE__NODE_RULE_STMT:
    m_kind.tag = "CREATE RULE";
    lock(n.rule_stmt->relation, R::rule);
    break;
  case PG_QUERY__NODE__NODE_CREATE_POLICY_STMT:
    m_kind.tag = "CREATE POLICY";
    lock(n.create_policy_stmt->table, R::policy);
    break;
  case PG_QUERY__NODE__NODE_ALTER_POLICY_STMT:
    m_kind.tag = "ALTER POLICY";
    lock(n.alter_policy_stmt->table, R::policy);
    break;
  case PG_QUERY__NODE__NODE_COMMENT_STMT: {
    const auto& s = *n.comment_stmt;
    m_kind.tag = "COMMENT";
    if (is_relation(s.objtype)) {
      if (auto name = name_of_node(s.object)) {
        lock(*name, R::comment);
      }
    } else if (s.objtype == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN) {
      if (auto name = name_of_node(s.object, 1)) {
        lock(*name, R::comment);
      }
    }
    break;
  }
  case PG_QUERY__NODE__NODE_CREATE_STATS_STMT:
    m_kind.tag = "CREATE STATISTICS";
    for (size_t i = 0; i < n.create_stats_stmt->n_relations; ++i) {
      const PgQuery__Node* r = n.create_stats_stmt->relations[i];
      if (r && r->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        lock(r->range_var, R::create_statistics);
      }
    }
    break;
  case PG_QUERY__NODE__NODE_CREATE_PUBLICATION_STMT:
  case PG_QUERY__NODE__NODE_ALTER_PUBLICATION_STMT: {
    bool create = n.node_case == PG_QUERY__NODE__NODE_CREATE_PUBLICATION_STMT;
    m_kind.tag = create ? "CREATE PUBLICATION" : "ALTER PUBLICATION";
    PgQuery__Node* const* objects = create
                                        ? n.create_publication_stmt->pubobjects
                                        : n.alter_publication_stmt->pubobjects;
    size_t count = create ? n.create_publication_stmt->n_pubobjects
                          : n.alter_publication_stmt->n_pubobjects;
    for (size_t i = 0; i < count; ++i) {
      const PgQuery__Node* o = objects[i];
      if (o && o->node_case == PG_QUERY__NODE__NODE_PUBLICATION_OBJ_SPEC &&
          o->publication_obj_spec->pubtable) {
        lock(o->publication_obj_spec->pubtable->relation, R::publication);
      }
    }
    break;
  }

  // Statements that cannot run inside a transaction block.
  case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
    m_kind.tag = "CREATE TABLESPACE";
    non_transactional(why::create_tablespace);
    break;
  case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
    m_kind.tag = "DROP TABLESPACE";
    non_transactional(why::drop_tablespace);
    break;
  case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
    m_kind.tag = "ALTER SYSTEM";
    non_transactional(why::alter_system);
    break;
  case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
    m_kind.tag = "CREATE SUBSCRIPTION";
    subscription_options(n.create_subscription_stmt->options,
                         n.create_subscription_stmt->n_options);
    break;
  case PG_QUERY__NODE__NODE_ALTER_SUBSCRIPTION_STMT: {
    const auto& s = *n.alter_subscription_stmt;
    m_kind.tag = "ALTER SUBSCRIPTION";
    bool refresh = false;
    switch (s.kind) {
    case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_REFRESH:
      refresh = true;
      break;
    case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_SET_PUBLICATION:
    case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_ADD_PUBLICATION:
    case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_DROP_PUBLICATION:
      refresh = true;
      if (const PgQuery__DefElem* d = def(s.options, s.n_options, "refresh")) {
        refresh = def_bool(d);
      }
      break;
    default:
      break;
    }
    if (refresh) {
      non_transactional(why::alter_subscription);
    }
    break;
  }
  case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT:
    m_kind.tag = "DROP SUBSCRIPTION";
    non_transactional(why::drop_subscription);
    break;
  case PG_QUERY__NODE__NODE_DISCARD_STMT:
    switch (n.discard_stmt->target) {
    case PG_QUERY__DISCARD_MODE__DISCARD_ALL:
      m_kind.tag = "DISCARD ALL";
      non_transactional(why::discard_all);
      break;
    case PG_QUERY__DISCARD_MODE__DISCARD_PLANS:
      m_kind.tag = "DISCARD PLANS";
      break;
    case PG_QUERY__DISCARD_MODE__DISCARD_SEQUENCES:
      m_kind.tag = "DISCARD SEQUENCES";
      break;
    default:
      m_kind.tag = "DISCARD TEMP";
    }
    break;
  case PG_QUERY__NODE__NODE_ALTER_DATABASE_STMT:
    m_kind.tag = "ALTER DATABASE";
    if (def(n.alter_database_stmt->options, n.alter_database_stmt->n_options,
            "tablespace")) {
      non_transactional(why::alter_database_tablespace);
    }
    break;
  case PG_QUERY__NODE__NODE_ALTER_ENUM_STMT:
    m_kind.tag = "ALTER TYPE";
    m_kind.enum_add_value = str(n.alter_enum_stmt->old_val).empty();
    break;

  // Everything else: the tag only, no table lock worth reporting.
  case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
    m_kind.tag = n.create_function_stmt->is_procedure ? "CREATE PROCEDURE"
                                                      : "CREATE FUNCTION";
    break;
  case PG_QUERY__NODE__NODE_DO_STMT:
    m_kind.tag = "DO";
    break;
  case PG_QUERY__NODE__NODE_CALL_STMT:
    m_kind.tag = "CALL";
    break;
  case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT:
    m_kind.tag = "CREATE SCHEMA";
    break;
  case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
    m_kind.tag = "CREATE SEQUENCE";
    break;
  case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
    m_kind.tag = "CREATE DOMAIN";
    break;
  case PG_QUERY__NODE__NODE_ALTER_DOMAIN_STMT:
    m_kind.tag = "ALTER DOMAIN";
    break;
  case PG_QUERY__NODE__NODE_DEFINE_STMT:
    switch (n.define_stmt->kind) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_AGGREGATE:
      m_kind.tag = "CREATE AGGREGATE";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_OPERATOR:
      m_kind.tag = "CREATE OPERATOR";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLLATION:
      m_kind.tag = "CREATE COLLATION";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSPARSER:
      m_kind.tag = "CREATE TEXT SEARCH PARSER";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSDICTIONARY:
      m_kind.tag = "CREATE TEXT SEARCH DICTIONARY";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSTEMPLATE:
      m_kind.tag = "CREATE TEXT SEARCH TEMPLATE";
      break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_TSCONFIGURATION:
      m_kind.tag = "CREATE TEXT SEARCH CONFIGURATION";
      break;
    default:
      m_kind.tag = "CREATE TYPE";
    }
    break;
  case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
  case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
  case PG_QUERY__NODE__NODE_CREATE_RANGE_STMT:
    m_kind.tag = "CREATE TYPE";
    break;
  case PG_QUERY__NODE__NODE_ALTER_TYPE_STMT:
    m_kind.tag = "ALTER TYPE";
    break;
  case PG_QUERY__NODE__NODE_ALTER_FUNCTION_STMT:
    m_kind.tag = n.alter_function_stmt->objtype ==
                         PG_QUERY__OBJECT_TYPE__OBJECT_PROCEDURE
                     ? "ALTER PROCEDURE"
                 : n.alter_function_stmt->objtype ==
                         PG_QUERY__OBJECT_TYPE__OBJECT_ROUTINE
                     ? "ALTER ROUTINE"
                     : "ALTER FUNCTION";
    break;
  case PG_QUERY__NODE__NODE_GRANT_STMT:
    m_kind.tag = n.grant_stmt->is_grant ? "GRANT" : "REVOKE";
    break;
  case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
    m_kind.tag = n.grant_role_stmt->is_grant ? "GRANT ROLE" : "REVOKE ROLE";
    break;
  case PG_QUERY__NODE__NODE_ALTER_DEFAULT_PRIVILEGES_STMT:
    m_kind.tag = "ALTER DEFAULT PRIVILEGES";
    break;
  case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
    m_kind.tag = "CREATE EXTENSION";
    break;
  case PG_QUERY__NODE__NODE_ALTER_EXTENSION_STMT:
  case PG_QUERY__NODE__NODE_ALTER_EXTENSION_CONTENTS_STMT:
    m_kind.tag = "ALTER EXTENSION";
    break;
  case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
    m_kind.tag =
        n.variable_set_stmt->kind == PG_QUERY__VARIABLE_SET_KIND__VAR_RESET ||
                n.variable_set_stmt->kind ==
                    PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL
            ? "RESET"
            : "SET";
    break;
  case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
    m_kind.tag = "SHOW";
    break;
  case PG_QUERY__NODE__NODE_CONSTRAINTS_SET_STMT:
    m_kind.tag = "SET CONSTRAINTS";
    break;
  case PG_QUERY__NODE__NODE_CREATE_ROLE_STMT:
    m_kind.tag = "CREATE ROLE";
    break;
  case PG_QUERY__NODE__NODE_ALTER_ROLE_STMT:
  case PG_QUERY__NODE__NODE_ALTER_ROLE_SET_STMT:
    m_kind.tag = "ALTER ROLE";
    break;
  case PG_QUERY__NODE__NODE_DROP_ROLE_STMT:
    m_kind.tag = "DROP ROLE";
    break;
  case PG_QUERY__NODE__NODE_DROP_OWNED_STMT:
    m_kind.tag = "DROP OWNED";
    break;
  case PG_QUERY__NODE__NODE_REASSIGN_OWNED_STMT:
    m_kind.tag = "REASSIGN OWNED";
    break;
  case PG_QUERY__NODE__NODE_SEC_LABEL_STMT:
    m_kind.tag = "SECURITY LABEL";
    break;
  case PG_QUERY__NODE__NODE_NOTIFY_STMT:
    m_kind.tag = "NOTIFY";
    break;
  case PG_QUERY__NODE__NODE_LISTEN_STMT:
    m_kind.tag = "LISTEN";
    break;
  case PG_QUERY__NODE__NODE_UNLISTEN_STMT:
    m_kind.tag = "UNLISTEN";
    break;
  case PG_QUERY__NODE__NODE_LOAD_STMT:
    m_kind.tag = "LOAD";
    break;
  case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
    m_kind.tag = "CHECKPOINT";
    break;
  case PG_QUERY__NODE__NODE_EXECUTE_STMT:
    m_kind.tag = "EXECUTE";
    break;
  case PG_QUERY__NODE__NODE_DEALLOCATE_STMT:
    m_kind.tag =
        str(n.deallocate_stmt->name).empty() ? "DEALLOCATE ALL" : "DEALLOCATE";
    break;
  case PG_QUERY__NODE__NODE_FETCH_STMT:
    m_kind.tag = n.fetch_stmt->ismove ? "MOVE" : "FETCH";
    break;
  case PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT:
    m_kind.tag = str(n.close_portal_stmt->portalname).empty()
                     ? "CLOSE CURSOR ALL"
                     : "CLOSE CURSOR";
    break;
  case PG_QUERY__NODE__NODE_ALTER_DATABASE_SET_STMT:
  case PG_QUERY__NODE__NODE_ALTER_DATABASE_REFRESH_COLL_STMT:
    m_kind.tag = "ALTER DATABASE";
    break;
  case PG_QUERY__NODE__NODE_ALTER_TABLE_SPACE_OPTIONS_STMT:
    m_kind.tag = "ALTER TABLESPACE";
    break;
  case PG_QUERY__NODE__NODE_CREATE_CONVERSION_STMT:
    m_kind.tag = "CREATE CONVERSION";
    break;
  case PG_QUERY__NODE__NODE_CREATE_CAST_STMT:
    m_kind.tag = "CREATE CAST";
    break;
  case PG_QUERY__NODE__NODE_CREATE_OP_CLASS_STMT:
    m_kind.tag = "CREATE OPERATOR CLASS";
    break;
  case PG_QUERY__NODE__NODE_CREATE_OP_FAMILY_STMT:
    m_kind.tag = "CREATE OPERATOR FAMILY";
    break;
  case PG_QUERY__NODE__NODE_ALTER_OP_FAMILY_STMT:
    m_kind.tag = "ALTER OPERATOR FAMILY";
    break;
  case PG_QUERY__NODE__NODE_ALTER_OPERATOR_STMT:
    m_kind.tag = "ALTER OPERATOR";
    break;
  case PG_QUERY__NODE__NODE_ALTER_OBJECT_DEPENDS_STMT:
    m_kind.tag = alter_tag(n.alter_object_depends_stmt->object_type);
    break;
  case PG_QUERY__NODE__NODE_ALTER_TSDICTIONARY_STMT:
    m_kind.tag = "ALTER TEXT SEARCH DICTIONARY";
    break;
  case PG_QUERY__NODE__NODE_ALTER_TSCONFIGURATION_STMT:
    m_kind.tag = "ALTER TEXT SEARCH CONFIGURATION";
    break;
  case PG_QUERY__NODE__NODE_CREATE_FDW_STMT:
    m_kind.tag = "CREATE FOREIGN DATA WRAPPER";
    break;
  case PG_QUERY__NODE__NODE_ALTER_FDW_STMT:
    m_kind.tag = "ALTER FOREIGN DATA WRAPPER";
    break;
  case PG_QUERY__NODE__NODE_CREATE_FOREIGN_SERVER_STMT:
    m_kind.tag = "CREATE SERVER";
    break;
  case PG_QUERY__NODE__NODE_ALTER_FOREIGN_SERVER_STMT:
    m_kind.tag = "ALTER SERVER";
    break;
  case PG_QUERY__NODE__NODE_CREATE_USER_MAPPING_STMT:
    m_kind.tag = "CREATE USER MAPPING";
    break;
  case PG_QUERY__NODE__NODE_ALTER_USER_MAPPING_STMT:
    m_kind.tag = "ALTER USER MAPPING";
    break;
  case PG_QUERY__NODE__NODE_DROP_USER_MAPPING_STMT:
    m_kind.tag = "DROP USER MAPPING";
    break;
  case PG_QUERY__NODE__NODE_IMPORT_FOREIGN_SCHEMA_STMT:
    m_kind.tag = "IMPORT FOREIGN SCHEMA";
    break;
  case PG_QUERY__NODE__NODE_CREATE_EVENT_TRIG_STMT:
    m_kind.tag = "CREATE EVENT TRIGGER";
    break;
  case PG_QUERY__NODE__NODE_ALTER_EVENT_TRIG_STMT:
    m_kind.tag = "ALTER EVENT TRIGGER";
    break;
  case PG_QUERY__NODE__NODE_CREATE_PLANG_STMT:
    m_kind.tag = "CREATE LANGUAGE";
    break;
  case PG_QUERY__NODE__NODE_CREATE_TRANSFORM_STMT:
    m_kind.tag = "CREATE TRANSFORM";
    break;
  case PG_QUERY__NODE__NODE_CREATE_AM_STMT:
    m_kind.tag = "CREATE ACCESS METHOD";
    break;
  case PG_QUERY__NODE__NODE_ALTER_COLLATION_STMT:
    m_kind.tag = "ALTER COLLATION";
    break;
  case PG_QUERY__NODE__NODE_ALTER_STATS_STMT:
    m_kind.tag = "ALTER STATISTICS";
    break;
  default:
    m_kind.tag = "???";
  }
  return std::move(m_kind);
}

} // namespace

std::span<const Rule> lock_rules()
{
  return k_rules;
}

namespace detail {

Kind classify(const PgQuery__Node& stmt)
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
