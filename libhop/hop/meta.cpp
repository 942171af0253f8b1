#include "meta.hpp"

#include "templates.hpp"

namespace hop::meta {

State inspect(db::Connection& conn)
{
  State s;
  auto r = conn.query(
      "select to_regclass('half_orm_meta.hop_release') is not null, "
      "to_regclass('half_orm_meta.hop_meta') is not null, "
      "to_regclass('\"half_orm_meta.view\".hop_last_release') is not null");
  s.has_hop_release = r.value(0, 0) == "t";
  bool has_hop_meta = r.value(0, 1) == "t";
  bool has_view = r.value(0, 2) == "t";
  if (has_hop_meta) {
    auto v = conn.query("select version from half_orm_meta.hop_meta");
    s.hop_meta_version = v.rows() ? std::stoi(v.value(0, 0)) : 0;
  }
  if (has_view) {
    s.last_release = last_release(conn);
  }
  return s;
}

std::optional<Version> last_release(db::Connection& conn)
{
  auto r = conn.query("select major, minor, patch from "
                      "\"half_orm_meta.view\".hop_last_release");
  if (r.rows() == 0) {
    return std::nullopt;
  }
  return Version{std::stoi(r.value(0, 0)), std::stoi(r.value(0, 1)),
                 std::stoi(r.value(0, 2))};
}

Installed install(db::Connection& conn)
{
  Installed done;
  State before = inspect(conn);
  if (!before.has_hop_release) {
    auto schema =
        conn.query("select count(*) from pg_namespace where nspname in "
                   "('half_orm_meta', 'half_orm_meta.view')");
    if (schema.value(0, 0) != "0") {
      throw fatal("the database has a half_orm_meta schema without its "
                  "hop_release table")
          .detail(
              "git-hop reuses an existing half_orm_meta schema but does not "
              "repair a partial one.")
          .hint("Drop the schemas half_orm_meta and \"half_orm_meta.view\" if "
                "they hold nothing of value, then run the command again.");
    }
    conn.exec(read_template("sql/half_orm_meta.sql"));
    done.created_schema = true;
  }
  if (before.hop_meta_version < k_meta_version) {
    conn.exec(read_template("sql/hop_meta.sql"));
    done.added_hop_tables = before.hop_meta_version == 0;
  }
  if (!last_release(conn)) {
    conn.query("insert into half_orm_meta.hop_release "
               "(major, minor, patch, changelog) values (0, 0, 0, $1)",
               {"Initial release"});
    done.inserted_initial = true;
  }
  return done;
}

void uninstall(db::Connection& conn, const Installed& installed)
{
  if (installed.created_schema) {
    conn.exec("drop schema \"half_orm_meta.view\" cascade; "
              "drop schema half_orm_meta cascade");
    return;
  }
  if (installed.inserted_initial) {
    conn.exec("delete from half_orm_meta.hop_release where major = 0 and "
              "minor = 0 and patch = 0");
  }
  if (installed.added_hop_tables) {
    conn.exec("drop table if exists half_orm_meta.hop_script; "
              "drop table if exists half_orm_meta.hop_meta");
  }
}

} // namespace hop::meta
