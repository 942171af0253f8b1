// The lock report: the locks of a parsed script with the sizes of the
// relations in a database.
#include "../db/connection.hpp"
#include "script.hpp"

#include <map>
#include <tuple>

namespace hop::sql {

namespace {

std::optional<long long> number(const std::optional<std::string>& v)
{
  if (!v || v->empty()) {
    return std::nullopt;
  }
  return std::stoll(*v);
}

// Rows: the planner's estimate (reltuples, -1 when never analyzed), summed
// over the leaves of a partitioned table, over every table of a schema
// (or of the database) for `every`; bytes: pg_total_relation_size (table,
// TOAST and indexes). Nothing for a relation the database does not have.
constexpr const char* k_sizes_sql = R"(
with w as (
  select w.i, w.schema, w.every,
         case when not w.every then to_regclass(case when w.schema = ''
           then quote_ident(w.name)
           else quote_ident(w.schema) || '.' || quote_ident(w.name) end)
         end as oid
  from unnest($1::text[], $2::text[], $3::bool[])
       with ordinality as w(schema, name, every, i)
)
select w.i, s.rows, s.bytes
from w cross join lateral (
  select sum(case when c.reltuples >= 0 then c.reltuples end)::bigint as rows,
         sum(pg_total_relation_size(c.oid))::bigint as bytes
  from pg_class c
  where (w.every and c.relkind in ('r', 'm')
         and (w.schema = ''
              or c.relnamespace = to_regnamespace(quote_ident(w.schema))))
     or (c.oid = w.oid and c.relkind not in ('p', 'I'))
     or c.oid in (select relid from pg_partition_tree(w.oid) where isleaf)
) s
order by w.i)";

} // namespace

namespace {

// The relations to size, each once, in the order first seen.
struct Wanted
{
  std::vector<std::string> schemas, names, every;
  std::map<std::tuple<std::string, std::string, bool>, size_t> index;

  size_t of(const Lock& l)
  {
    auto key =
        std::make_tuple(l.relation.schema, l.relation.name, l.all_tables);
    auto [it, added] = index.emplace(key, schemas.size());
    if (added) {
      schemas.push_back(l.relation.schema);
      names.push_back(l.relation.name);
      every.emplace_back(l.all_tables ? "t" : "f");
    }
    return it->second;
  }
};

// The rows of one script, without sizes; `want` gets the index in `wanted`
// of each row's relation.
void rows_of(const Script& script, const std::string& path, Wanted& wanted,
             std::vector<ReportRow>& rows, std::vector<size_t>& want)
{
  const auto& st = script.statements;
  for (size_t i = 0; i < st.size();) {
    size_t j = i + 1;
    while (j < st.size() && st[j].kind == st[i].kind) {
      ++j;
    }
    for (const Lock& l : st[i].locks()) {
      ReportRow row;
      row.statement = i;
      row.count = j - i;
      row.file_line = path + ":" + std::to_string(st[i].line);
      row.tag = st[i].tag();
      row.relation = l.relation_text();
      row.level = l.level;
      row.rewrite = l.rewrite;
      row.scan = l.scan;
      row.reason = l.reason;
      want.push_back(wanted.of(l));
      rows.push_back(std::move(row));
    }
    i = j;
  }
}

} // namespace

std::vector<std::vector<ReportRow>>
lock_report(const std::vector<ReportScript>& scripts, db::Connection& conn)
{
  std::vector<std::vector<ReportRow>> out(scripts.size());
  std::vector<std::vector<size_t>> want(scripts.size());
  Wanted wanted;
  for (size_t n = 0; n < scripts.size(); ++n) {
    rows_of(*scripts[n].script, *scripts[n].path, wanted, out[n], want[n]);
  }
  if (wanted.schemas.empty()) {
    return out;
  }

  std::string bools = "{";
  for (size_t i = 0; i < wanted.every.size(); ++i) {
    bools += (i ? "," : "") + wanted.every[i];
  }
  bools += "}";
  db::Result r = conn.query(k_sizes_sql, {db::text_array(wanted.schemas),
                                          db::text_array(wanted.names), bools});
  size_t size = wanted.schemas.size();
  std::vector<std::optional<long long>> row_count(size), byte_count(size);
  for (int k = 0; k < r.rows(); ++k) {
    auto i = static_cast<size_t>(std::stoll(r.value(k, 0))) - 1;
    if (i < size) {
      row_count[i] = number(r.get(k, 1));
      byte_count[i] = number(r.get(k, 2));
    }
  }
  for (size_t n = 0; n < out.size(); ++n) {
    for (size_t k = 0; k < out[n].size(); ++k) {
      out[n][k].rows = row_count[want[n][k]];
      out[n][k].bytes = byte_count[want[n][k]];
    }
  }
  return out;
}

} // namespace hop::sql
