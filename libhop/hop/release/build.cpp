#include "../codegen/package.hpp"
#include "../db/connection.hpp"
#include "../deploy/statements.hpp"
#include "../deploy/templates.hpp"
#include "internal.hpp"

namespace hop::release {

namespace detail {

Built build_scratch(Context& ctx, const patches::Release* rel,
                    const std::string& suffix,
                    const std::string& nothing_changed, LockReport report)
{
  Session& s = ctx.session;
  // The scripts are read before any database is touched.
  std::vector<deploy::ParsedScript> parsed;
  if (rel) {
    parsed = deploy::parse_release(*rel, nothing_changed);
  }
  db::Cluster& cluster = s.cluster();
  cluster.recover_swap(s.dbname());
  std::string tpl = deploy::ensure_template(s, ctx.history, *ctx.state.last);
  Built built{
      db::ScratchDatabase(cluster, db::derived_name(s.dbname(), suffix)),
      std::nullopt,
      {},
      {}};
  cluster.clone(tpl, built.database.name());
  ConnectionSettings target = built.database.settings();
  built.conn.emplace(db::Connection::connect(target.keywords()));
  if (rel && report == LockReport::yes) {
    built.locks = deploy::lock_rows(*rel, parsed, *built.conn);
  }
  if (rel) {
    deploy::Target t{&*built.conn, target};
    deploy::Options o;
    o.project = &s.project();
    o.reporter = &s.report();
    o.nothing_changed = nothing_changed;
    auto runs = deploy::run(
        t, {deploy::Step{rel, std::nullopt, s.project().root, &parsed}}, o);
    built.scripts = std::move(runs.front().scripts);
  }
  return built;
}

// Build release `rel` on the template of the last release in a scratch
// database, regenerate the package from it, then swap it in.
ApplyResult build(Context& ctx, const patches::Release* rel, LockReport report)
{
  Session& s = ctx.session;
  ApplyResult result;
  result.base = *ctx.state.last;
  Built built =
      build_scratch(ctx, rel, "__hop_apply", k_nothing_changed, report);
  result.scripts = std::move(built.scripts);
  result.locks = std::move(built.locks);
  codegen::Plan plan;
  const Project& project = s.project();
  if (project.config.python.package) {
    const std::string& package = project.config.project.name;
    plan = codegen::plan_from_database(*built.conn, project.root, package);
    codegen::check_plan(
        plan, package,
        "Nothing was changed: the database is as it was before.");
  }
  built.conn.reset(); // a database is renamed only without sessions
  s.close_database();
  auto old = s.cluster().swap_in(built.database.name(), s.dbname());
  built.database.adopt();
  if (old) {
    // The user has the result before the old database is dropped.
    s.drop_after(*old);
  }
  result.package = codegen::write_plan(std::move(plan), project.root);
  return result;
}

} // namespace detail

using namespace detail;

Check build_check(Session& s, const patches::Release* rel,
                  const std::string& suffix, const std::string& nothing_changed)
{
  Context ctx = open_context(s, "hooks run");
  deploy::Lock lock = take_lock(ctx, "hooks run");
  Built built = build_scratch(ctx, rel, suffix, nothing_changed);
  built.conn.reset();
  return Check{std::move(built.database), std::move(built.scripts)};
}

} // namespace hop::release
