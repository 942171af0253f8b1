#include "meta.hpp"

#include "templates.hpp"

#include <hop/build_info.hpp>

namespace hop::meta {

namespace {

std::string num(int n)
{
  return std::to_string(n);
}

} // namespace

std::optional<Version> Record::last() const
{
  if (releases.empty()) {
    return std::nullopt;
  }
  return releases.back().version;
}

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

void migrate(db::Connection& conn)
{
  int version = 0;
  if (conn.query("select to_regclass('half_orm_meta.hop_meta') is not null")
          .value(0, 0) == "t") {
    auto v = conn.query("select version from half_orm_meta.hop_meta");
    version = v.rows() ? std::stoi(v.value(0, 0)) : 0;
  }
  if (version > k_meta_version) {
    throw fatal("the database's half_orm_meta was written by a newer git-hop")
        .detail("Its meta schema is version " + num(version) +
                "; this git-hop knows version " + num(k_meta_version) + ".")
        .hint("Upgrade git-hop.");
  }
  if (version < 1) {
    conn.exec(read_template("sql/hop_meta.sql"));
  }
  if (version < 2) {
    conn.exec(read_template("sql/hop_meta_2.sql"));
  }
}

Installed install(db::Connection& conn, bool initial_release)
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
    migrate(conn);
    done.added_hop_tables = before.hop_meta_version == 0;
  }
  if (initial_release && !last_release(conn)) {
    record_release(conn, Version{}, "Initial release", std::nullopt);
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
    conn.exec("drop table if exists half_orm_meta.hop_upgrade; "
              "drop table if exists half_orm_meta.hop_script; "
              "drop table if exists half_orm_meta.hop_meta");
  }
}

Record read_record(db::Connection& conn)
{
  Record rec;
  State s = inspect(conn);
  rec.tracked = s.has_hop_release;
  rec.meta_version = s.hop_meta_version;
  if (!rec.tracked) {
    return rec;
  }
  auto r = conn.query(
      "select major, minor, patch, pre_release, coalesce(changelog, ''), "
      "commit, hop_release from half_orm_meta.hop_release "
      "order by major, minor, patch, "
      "case pre_release when '' then 3 when 'rc' then 2 when 'beta' then 1 "
      "else 0 end, "
      "(coalesce(nullif(pre_release_num, ''), '0'))::numeric");
  std::map<Version, size_t> index;
  for (int i = 0; i < r.rows(); ++i) {
    ReleaseRow row;
    row.version = {std::stoi(r.value(i, 0)), std::stoi(r.value(i, 1)),
                   std::stoi(r.value(i, 2))};
    row.pre_release = r.value(i, 3);
    row.changelog = r.value(i, 4);
    row.commit = r.get(i, 5);
    row.hop_release = r.get(i, 6);
    if (!row.pre_release.empty()) {
      continue; // upstream's pre-releases: not git-hop releases
    }
    index[row.version] = rec.releases.size();
    rec.releases.push_back(std::move(row));
  }
  if (s.hop_meta_version >= 1) {
    bool has_statements = s.hop_meta_version >= 2;
    auto sr = conn.query(
        std::string("select major, minor, patch, path, sha256, ") +
        (has_statements ? "statements" : "null::integer") +
        " from half_orm_meta.hop_script order by major, minor, patch, path");
    for (int i = 0; i < sr.rows(); ++i) {
      Version v{std::stoi(sr.value(i, 0)), std::stoi(sr.value(i, 1)),
                std::stoi(sr.value(i, 2))};
      ScriptRow row{sr.value(i, 3), sr.value(i, 4), std::nullopt};
      if (auto st = sr.get(i, 5)) {
        row.statements = std::stoi(*st);
      }
      if (auto it = index.find(v); it != index.end()) {
        rec.releases[it->second].scripts.push_back(std::move(row));
      } else {
        rec.pending_scripts[v].push_back(std::move(row));
      }
    }
  }
  if (s.hop_meta_version >= 2) {
    auto ur =
        conn.query("select major, minor, patch, target, "
                   "to_char(started_at at time zone 'UTC', "
                   "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(client, ''), "
                   "coalesce(backup, '') from half_orm_meta.hop_upgrade");
    if (ur.rows() > 0) {
      rec.upgrade =
          UpgradeRow{{std::stoi(ur.value(0, 0)), std::stoi(ur.value(0, 1)),
                      std::stoi(ur.value(0, 2))},
                     ur.value(0, 3),
                     ur.value(0, 4),
                     ur.value(0, 5),
                     ur.value(0, 6)};
    }
  }
  return rec;
}

void record_release(db::Connection& conn, const Version& v,
                    const std::string& changelog,
                    const std::optional<std::string>& commit)
{
  // hop_release.dbid references half_orm_meta.database(id).
  conn.exec("insert into half_orm_meta.database (id, name) "
            "values (half_orm_meta.check_database(), current_database()) "
            "on conflict (id) do nothing");
  conn.query("insert into half_orm_meta.hop_release "
             "(major, minor, patch, changelog, commit, dbid, hop_release) "
             "values ($1, $2, $3, $4, $5, half_orm_meta.check_database(), $6)",
             {num(v.major), num(v.minor), num(v.patch), changelog, commit,
              std::string(HOP_VERSION)});
}

void record_script(db::Connection& conn, const Version& v,
                   const std::string& path, const std::string& sha256,
                   double duration_ms)
{
  record_scripts(conn, v, {{path, sha256, duration_ms}});
}

void record_scripts(db::Connection& conn, const Version& v,
                    const std::vector<ScriptDone>& scripts)
{
  if (scripts.empty()) {
    return;
  }
  std::vector<std::string> paths, sums, durations;
  paths.reserve(scripts.size());
  sums.reserve(scripts.size());
  durations.reserve(scripts.size());
  for (const auto& s : scripts) {
    paths.push_back(s.path);
    sums.push_back(s.sha256);
    durations.push_back(std::to_string(static_cast<long long>(s.duration_ms)));
  }
  conn.query("insert into half_orm_meta.hop_script "
             "(major, minor, patch, path, sha256, duration_ms) "
             "select $1::integer, $2::integer, $3::integer, t.path, t.sha256, "
             "t.duration_ms from unnest($4::text[], $5::text[], $6::integer[]) "
             "as t(path, sha256, duration_ms)",
             {num(v.major), num(v.minor), num(v.patch), db::text_array(paths),
              db::text_array(sums), db::text_array(durations)});
}

void record_statements(db::Connection& conn, const Version& v,
                       const std::string& path, const std::string& sha256,
                       int done, double duration_ms)
{
  conn.query("insert into half_orm_meta.hop_script "
             "(major, minor, patch, path, sha256, duration_ms, statements) "
             "values ($1, $2, $3, $4, $5, $6, $7) "
             "on conflict (major, minor, patch, path) do update set "
             "statements = excluded.statements, applied_at = now(), "
             "duration_ms = coalesce(hop_script.duration_ms, 0) + "
             "excluded.duration_ms",
             {num(v.major), num(v.minor), num(v.patch), path, sha256,
              std::to_string(static_cast<long long>(duration_ms)), num(done)});
}

void stamp_commits(db::Connection& conn,
                   const std::vector<std::pair<Version, std::string>>& commits)
{
  if (commits.empty()) {
    return;
  }
  std::vector<std::string> majors, minors, patches, ids;
  for (const auto& [v, id] : commits) {
    majors.push_back(num(v.major));
    minors.push_back(num(v.minor));
    patches.push_back(num(v.patch));
    ids.push_back(id);
  }
  conn.query("update half_orm_meta.hop_release r set commit = t.commit "
             "from unnest($1::int[], $2::int[], $3::int[], $4::text[]) "
             "as t(major, minor, patch, commit) "
             "where r.major = t.major and r.minor = t.minor and "
             "r.patch = t.patch and r.pre_release = '' and "
             "r.pre_release_num = '' and "
             "r.commit is distinct from t.commit",
             {db::text_array(majors), db::text_array(minors),
              db::text_array(patches), db::text_array(ids)});
}

void begin_upgrade(db::Connection& conn, const UpgradeRow& row)
{
  conn.query("insert into half_orm_meta.hop_upgrade "
             "(major, minor, patch, target, client, backup) "
             "values ($1, $2, $3, $4, $5, $6) "
             "on conflict (id) do update set major = excluded.major, "
             "minor = excluded.minor, patch = excluded.patch, "
             "target = excluded.target, client = excluded.client, "
             "backup = coalesce(excluded.backup, hop_upgrade.backup), "
             "started_at = now()",
             {num(row.release.major), num(row.release.minor),
              num(row.release.patch), row.target, row.client,
              row.backup.empty() ? std::nullopt
                                 : std::optional<std::string>(row.backup)});
}

void end_upgrade(db::Connection& conn)
{
  conn.exec("delete from half_orm_meta.hop_upgrade");
}

} // namespace hop::meta
