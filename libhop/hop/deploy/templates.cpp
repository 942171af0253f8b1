#include "templates.hpp"

#include "../db/cluster.hpp"
#include "../db/connection.hpp"
#include "../error.hpp"
#include "../git/repository.hpp"
#include "../meta.hpp"
#include "../output.hpp"
#include "../scratch.hpp"
#include "../session.hpp"
#include "../sha256.hpp"
#include "../snapshot.hpp"
#include "runner.hpp"

#include <memory>

namespace hop::deploy {

namespace {

// Bump when templates built by an older git-hop must not be reused.
constexpr const char* k_format = "git-hop templates 2";

// The stamp of each release's template up to `last` (index in history):
// a hash of everything it is built from.
std::vector<std::string> stamps(Session& s, const History& h, size_t last)
{
  git::Repository& repo = s.repo();
  std::vector<std::string> out;
  std::string key;
  for (size_t i = 0; i <= last; ++i) {
    const Release& r = h.releases[i];
    if (i == 0) {
      std::string tag = "refs/tags/" + r.version.str();
      key = std::string(k_format) + "\n" +
            repo.entry_id(tag, snapshot::schema_file(r.version.str()))
                .value_or("-") +
            "\n" +
            repo.entry_id(tag, snapshot::metadata_file(r.version.str()))
                .value_or("-") +
            "\nmeta " + std::to_string(meta::k_meta_version) + "\n" + r.commit;
    } else {
      key += "\n" + r.tag_object;
    }
    out.push_back("git-hop template of " + s.dbname() + " " + r.version.str() +
                  " sha256:" + sha256_hex(key));
  }
  return out;
}

// The finished build `build` becomes the template `name`, stamped `stamp`
// (the comment last: a kill before it leaves a template that is rebuilt).
void put_in_place(db::Cluster& cluster, const std::string& build,
                  const std::string& name, const std::string& stamp)
{
  cluster.drop(name);
  cluster.rename(build, name);
  cluster.set_comment(name, stamp);
}

size_t index_of(const History& h, const Version& v)
{
  for (size_t i = 0; i < h.releases.size(); ++i) {
    if (h.releases[i].version == v) {
      return i;
    }
  }
  throw fatal("release " + v.str() + " is not a release of this repository");
}

void build_baseline(Session& s, const Release& r, const std::string& build)
{
  git::Repository& repo = s.repo();
  db::Cluster& cluster = s.cluster();
  std::string schema =
      read_baseline_file(repo, r, snapshot::schema_file(r.version.str()));
  std::string metadata =
      read_baseline_file(repo, r, snapshot::metadata_file(r.version.str()));
  cluster.create_empty(build);
  snapshot::load_sql(cluster.settings_for(build), schema + metadata,
                     "cannot load the baseline of release " + r.version.str());
  auto conn = db::Connection::connect(cluster.settings_for(build).keywords());
  db::Transaction tx(conn);
  meta::migrate(conn);
  meta::stamp_commits(conn, {{r.version, r.commit}});
  tx.commit();
}

void build_release(Session& s, const Release& r, const std::string& from,
                   const std::string& build)
{
  git::Repository& repo = s.repo();
  db::Cluster& cluster = s.cluster();
  patches::Release rel = read_scripts(repo, r);
  std::string expected =
      read_baseline_file(repo, r, snapshot::schema_file(r.version.str()));
  cluster.clone(from, build);
  std::unique_ptr<TempDir> exported;
  Step step{&rel, r.commit, s.project().root};
  for (const auto& script : rel.scripts) {
    if (script.kind == patches::Kind::py && !exported) {
      exported = std::make_unique<TempDir>("git-hop-export");
      repo.export_tree("refs/tags/" + r.version.str(), exported->path());
      step.code_root = exported->path();
    }
  }
  ConnectionSettings target = cluster.settings_for(build);
  {
    auto conn = db::Connection::connect(target.keywords());
    Target t{&conn, target};
    Options o;
    o.project = &s.project();
    o.reporter = &s.report();
    o.nothing_changed = "The template of " + r.version.str() +
                        " was not built; nothing else was changed.";
    run(t, {step}, o);
  }
  auto diff =
      snapshot::compare_schemas(expected, snapshot::dump_schema(target),
                                snapshot::schema_file(r.version.str()),
                                "the replay of release " + r.version.str());
  if (!diff.empty()) {
    Error e = fatal("replaying release " + r.version.str() +
                    " does not give its committed schema");
    size_t shown = 0;
    for (const auto& d : diff) {
      if (++shown > 20) {
        e.detail("... and " + std::to_string(diff.size() - 20) + " more");
        break;
      }
      e.detail(d);
    }
    e.detail("The release's tagged scripts, run on the template of the "
             "release before it, must build " +
             snapshot::schema_file(r.version.str()) + ".");
    e.hint("A script that depends on something outside the repository (the "
           "time, the server's settings, a database object made by hand) "
           "builds another schema each time; make it deterministic.");
    throw e;
  }
}

} // namespace

std::string template_name(const std::string& dbname, const Version& v)
{
  return db::derived_name(dbname, "__hop_" + v.str());
}

std::string ensure_template(Session& s, const History& h, const Version& v)
{
  size_t last = index_of(h, v);
  std::vector<std::string> stamp = stamps(s, h, last);
  std::vector<std::string> names;
  for (size_t i = 0; i <= last; ++i) {
    names.push_back(template_name(s.dbname(), h.releases[i].version));
  }
  db::Cluster& cluster = s.cluster();
  auto existing = cluster.comments(names);
  // The newest up-to-date template at or before `v`.
  std::optional<size_t> from;
  for (size_t i = last + 1; i-- > 0;) {
    auto it = existing.find(names[i]);
    if (it != existing.end() && it->second == stamp[i]) {
      from = i;
      break;
    }
  }
  if (from && *from == last) {
    output::trace("deploy: template " + names[last] + " is up to date");
    return names[last];
  }
  std::string build_name = db::derived_name(s.dbname(), "__hop_build");
  for (size_t i = from ? *from + 1 : 0; i <= last; ++i) {
    const Release& r = h.releases[i];
    s.report().progress("Building the template of release " + r.version.str() +
                        " ('" + names[i] + "').");
    db::ScratchDatabase build(cluster, build_name);
    if (i == 0) {
      build_baseline(s, r, build.name());
    } else {
      build_release(s, r, names[i - 1], build.name());
    }
    put_in_place(cluster, build.name(), names[i], stamp[i]);
    build.adopt();
  }
  return names[last];
}

void adopt_as_template(Session& s, const History& h, const Version& v,
                       const std::string& db)
{
  size_t last = index_of(h, v);
  std::string stamp = stamps(s, h, last)[last];
  std::string name = template_name(s.dbname(), v);
  db::Cluster& cluster = s.cluster();
  db::ScratchDatabase build(cluster,
                            db::derived_name(s.dbname(), "__hop_build"));
  cluster.clone(db, build.name());
  put_in_place(cluster, build.name(), name, stamp);
  build.adopt();
}

TemplateCopy::TemplateCopy(std::unique_ptr<db::Cluster> cluster,
                           std::string name)
    : m_cluster(std::move(cluster)), m_name(std::move(name))
{
}

TemplateCopy::TemplateCopy(TemplateCopy&& other) noexcept
    : m_cluster(std::move(other.m_cluster))
    , m_name(std::move(other.m_name))
    , m_open(other.m_open)
    , m_adopted(other.m_adopted)
{
  other.m_adopted = true;
  other.m_open = false;
}

TemplateCopy::~TemplateCopy()
{
  if (!m_cluster) {
    return;
  }
  try {
    if (m_open) {
      m_open = false;
      m_cluster->finish_clone();
    }
  } catch (const std::exception& e) {
    output::trace(std::string("deploy: the template copy failed: ") + e.what());
  }
  if (!m_adopted) {
    try {
      m_cluster->drop(m_name);
    } catch (const std::exception& e) {
      output::trace("deploy: cannot drop '" + m_name + "': " + e.what());
    }
  }
}

TemplateCopy start_template_copy(Session& s, const std::string& db)
{
  auto cluster = std::make_unique<db::Cluster>(s.database_settings());
  std::string name = db::derived_name(s.dbname(), "__hop_build");
  cluster->start_clone(db, name);
  return TemplateCopy(std::move(cluster), std::move(name));
}

void adopt_copy_as_template(
    Session& s, const History& h, const Version& v, TemplateCopy& copy,
    const std::vector<std::pair<Version, std::string>>& commits)
{
  size_t last = index_of(h, v);
  std::string stamp = stamps(s, h, last)[last];
  std::string name = template_name(s.dbname(), v);
  db::Cluster& cluster = *copy.m_cluster;
  copy.m_open = false;
  cluster.finish_clone();
  {
    auto conn =
        db::Connection::connect(cluster.settings_for(copy.m_name).keywords());
    meta::stamp_commits(conn, commits);
  }
  put_in_place(cluster, copy.m_name, name, stamp);
  copy.m_adopted = true;
}

} // namespace hop::deploy
