#include "catalog.hpp"

#include <hop/db/connection.hpp>

#include <algorithm>
#include <map>

namespace hop::codegen {

namespace {

// The relations code generation maps, as a CTE.
constexpr const char* k_relations_cte = R"(
with rels as (
  select c.oid, n.nspname, c.relname, c.relkind
  from pg_catalog.pg_class c
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'v', 'm', 'f', 'p')
    and not c.relispartition
    and n.nspname not in ('pg_catalog', 'information_schema')
    and n.nspname not like 'pg\_toast%'
    and n.nspname not like 'pg\_temp\_%'
    and n.nspname not like 'half\_orm\_meta%'
))";

RelKind to_kind(const std::string& k)
{
  switch (k.empty() ? 'r' : k[0]) {
  case 'v':
    return RelKind::view;
  case 'm':
    return RelKind::materialized_view;
  case 'f':
    return RelKind::foreign_table;
  case 'p':
    return RelKind::partitioned_table;
  default:
    return RelKind::table;
  }
}

} // namespace

std::string_view kind_name(RelKind kind)
{
  switch (kind) {
  case RelKind::table:
    return "TABLE";
  case RelKind::view:
    return "VIEW";
  case RelKind::materialized_view:
    return "MATERIALIZED VIEW";
  case RelKind::foreign_table:
    return "FOREIGN TABLE";
  case RelKind::partitioned_table:
    return "PARTITIONED TABLE";
  }
  return "TABLE";
}

Catalog read_catalog(db::Connection& conn)
{
  Catalog catalog;
  catalog.database = conn.dbname();
  std::map<std::string, Relation> by_oid;

  auto rels = conn.query(std::string(k_relations_cte) + R"(
select r.oid, r.nspname, r.relname, r.relkind,
       pg_catalog.obj_description(r.oid, 'pg_class')
from rels r)");
  for (int i = 0; i < rels.rows(); ++i) {
    Relation rel;
    rel.schema = rels.value(i, 1);
    rel.name = rels.value(i, 2);
    rel.kind = to_kind(rels.value(i, 3));
    rel.comment = rels.get(i, 4);
    by_oid.emplace(rels.value(i, 0), std::move(rel));
  }

  auto cols = conn.query(std::string(k_relations_cte) + R"(
select a.attrelid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),
       t.typname, t.typtype, t.typcategory = 'A', et.typname, bt.typname,
       a.attnotnull
from rels r
join pg_catalog.pg_attribute a on a.attrelid = r.oid
join pg_catalog.pg_type t on t.oid = a.atttypid
left join pg_catalog.pg_type et on et.oid = t.typelem and t.typcategory = 'A'
left join pg_catalog.pg_type bt on bt.oid = t.typbasetype and t.typtype = 'd'
where a.attnum > 0 and not a.attisdropped
order by a.attrelid, a.attnum)");
  for (int i = 0; i < cols.rows(); ++i) {
    auto it = by_oid.find(cols.value(i, 0));
    if (it == by_oid.end()) {
      continue;
    }
    Column c;
    c.name = cols.value(i, 1);
    c.sql_type = cols.value(i, 2);
    c.type_name = cols.value(i, 3);
    c.type_type = cols.value(i, 4).empty() ? 'b' : cols.value(i, 4)[0];
    c.is_array = cols.value(i, 5) == "t";
    c.element_type = cols.value(i, 6);
    c.base_type = cols.value(i, 7);
    c.not_null = cols.value(i, 8) == "t";
    it->second.columns.push_back(std::move(c));
  }

  // One row per constraint column, in key order.
  auto cons = conn.query(std::string(k_relations_cte) + R"(
select con.conrelid, con.conname, con.contype, k.i, a.attname,
       fn.nspname, fc.relname, fa.attname
from rels r
join pg_catalog.pg_constraint con on con.conrelid = r.oid
cross join lateral unnest(con.conkey) with ordinality as k(attnum, i)
join pg_catalog.pg_attribute a on a.attrelid = con.conrelid
                              and a.attnum = k.attnum
left join pg_catalog.pg_class fc on fc.oid = con.confrelid
left join pg_catalog.pg_namespace fn on fn.oid = fc.relnamespace
left join pg_catalog.pg_attribute fa on fa.attrelid = con.confrelid
                                    and fa.attnum = con.confkey[k.i]
where con.contype in ('p', 'u', 'f')
  -- Not the copies PostgreSQL adds for the partitions of a referenced
  -- partitioned table (half_orm leaves them out too).
  and (con.contype <> 'f' or con.conparentid = 0)
order by con.conrelid, con.contype, con.conname, k.i)");
  std::string last_key;
  for (int i = 0; i < cons.rows(); ++i) {
    auto it = by_oid.find(cons.value(i, 0));
    if (it == by_oid.end()) {
      continue;
    }
    Relation& rel = it->second;
    std::string name = cons.value(i, 1);
    char type = cons.value(i, 2)[0];
    bool first = cons.value(i, 3) == "1";
    std::string column = cons.value(i, 4);
    if (type == 'p') {
      rel.primary_key.push_back(column);
    } else if (type == 'u') {
      if (first) {
        rel.uniques.emplace_back();
      }
      rel.uniques.back().push_back(column);
    } else {
      if (first) {
        ForeignKey fk;
        fk.name = name;
        fk.target_schema = cons.value(i, 5);
        fk.target_relation = cons.value(i, 6);
        rel.foreign_keys.push_back(std::move(fk));
      }
      rel.foreign_keys.back().columns.push_back(column);
      rel.foreign_keys.back().target_columns.push_back(cons.value(i, 7));
    }
  }

  auto inh = conn.query(std::string(k_relations_cte) + R"(
select i.inhrelid, pn.nspname, pc.relname
from rels r
join pg_catalog.pg_inherits i on i.inhrelid = r.oid
join pg_catalog.pg_class pc on pc.oid = i.inhparent
join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
order by i.inhrelid, i.inhseqno)");
  for (int i = 0; i < inh.rows(); ++i) {
    auto it = by_oid.find(inh.value(i, 0));
    if (it != by_oid.end()) {
      it->second.parents.emplace_back(inh.value(i, 1), inh.value(i, 2));
    }
  }

  for (auto& [oid, rel] : by_oid) {
    // Unique constraints in a stable order whatever their names.
    std::sort(rel.uniques.begin(), rel.uniques.end());
    std::sort(rel.foreign_keys.begin(), rel.foreign_keys.end(),
              [](const ForeignKey& a, const ForeignKey& b) {
                return a.name < b.name;
              });
    catalog.relations.push_back(std::move(rel));
  }
  std::sort(catalog.relations.begin(), catalog.relations.end(),
            [](const Relation& a, const Relation& b) {
              return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
            });
  return catalog;
}

} // namespace hop::codegen
