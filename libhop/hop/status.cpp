#include "status.hpp"

#include "db/cluster.hpp"
#include "db/connection.hpp"
#include "deploy/history.hpp"
#include "deploy/lock.hpp"
#include "git/repository.hpp"
#include "json.hpp"
#include "meta.hpp"
#include "release.hpp"
#include "session.hpp"

#include <algorithm>
#include <future>
#include <sstream>

namespace hop {

namespace {

// What the database says: who git-hop is there, its record, the scratch
// databases a killed git-hop left; when it cannot be reached, why (and
// whether an interrupted swap renamed it away).
struct DatabaseView
{
  std::optional<meta::Record> record;
  std::optional<std::string> renamed_away;
  std::vector<std::string> leftovers;
};

DatabaseView read_database(const ConnectionSettings& cs, bool devel,
                           StatusReport::Database& d)
{
  DatabaseView view;
  auto& record = view.record;
  auto& renamed_away = view.renamed_away;
  auto& leftovers = view.leftovers;
  std::string error;
  if (auto conn = db::Connection::try_connect(cs.keywords(), &error)) {
    d.reachable = true;
    d.user = conn->user();
    d.host = conn->host();
    d.port = conn->port();
    record = meta::read_record(*conn);
    d.has_meta = record->tracked;
    d.release = record->last();
    if (devel) {
      leftovers =
          db::existing_databases(*conn, db::Cluster::scratch_names(d.name));
      // In use, while another git-hop holds the database's lock.
      if (!leftovers.empty() && !deploy::Lock::holder(cs, d.name).empty()) {
        leftovers.clear();
      }
    }
  } else {
    d.error = error;
    d.user = cs.user.value_or("");
    d.host = cs.host.value_or("");
    d.port = cs.port.value_or("");
    // Missing? A swap killed between its renames leaves it renamed away.
    if (error.find("does not exist") != std::string::npos) {
      try {
        ConnectionSettings settings = cs;
        settings.name = d.name;
        db::Cluster cluster(settings);
        std::string old = db::Cluster::old_name(d.name);
        if (cluster.exists(old)) {
          renamed_away = old;
        }
      } catch (const Error&) {
        // The server's maintenance database is not reachable either.
      }
    }
  }
  return view;
}

} // namespace

StatusReport collect_status(Session& session)
{
  const Project& project = session.project();
  StatusReport r;
  r.root = project.root;
  r.package = project.config.project.name;
  r.devel = project.config.project.devel;
  r.config_hop_version = project.config.project.hop_version;

  const ConnectionSettings& cs = project.connection;
  auto& d = r.database;
  d.name = cs.name.value_or(r.package);
  d.production = cs.production;
  if (cs.file) {
    d.connection_file = cs.file->string();
  }
  // The database answers while git is read: most of its time is spent
  // waiting on the server, most of git's in starting libgit2.
  auto database = std::async(std::launch::async,
                             [&] { return read_database(cs, r.devel, d); });

  std::optional<deploy::History> history;
  std::optional<deploy::Facts> facts;
  if (session.has_repo()) {
    git::Repository* repo = &session.repo();
    history = deploy::read_history(*repo);
    release::State state = release::read_state(*repo, *history);
    auto& g = r.git;
    g.present = true;
    g.branch = state.branch;
    g.head = repo->head_id();
    auto changes = repo->status();
    g.changes = changes.size();
    g.clean = g.changes == 0;
    r.last_tag = state.last;
    r.preparing = std::move(state.preparing);
    auto on = state.branch_version;
    r.expected_release =
        on && (!r.last_tag || *on > *r.last_tag) ? on : r.last_tag;
    if (r.devel) {
      facts = deploy::read_facts(*repo, *history, &changes);
    }
  }
  DatabaseView view = database.get();
  if (history && facts) {
    deploy::CheckOptions o;
    o.production = d.production;
    o.renamed_away = view.renamed_away;
    o.leftovers = view.leftovers;
    o.database = d.name;
    r.problems = deploy::check(*history, *facts,
                               view.record ? &*view.record : nullptr, o);
  }
  if (d.production && d.reachable && r.git.present && r.devel) {
    try {
      r.production = deploy::production_state(session);
    } catch (const Error& e) {
      r.production_error = e.what();
    }
  }
  return r;
}

namespace {

// `label` padded to 12 columns, then `value`.
void row(std::ostream& os, const char* label, const std::string& value)
{
  os << label;
  for (size_t i = std::char_traits<char>::length(label); i < 12; ++i) {
    os << ' ';
  }
  os << value << '\n';
}

// "<name> as <user> on <host> port <port> (development)".
std::string describe_database(const StatusReport::Database& d)
{
  std::string where;
  if (!d.user.empty()) {
    where += " as " + d.user;
  }
  if (!d.host.empty()) {
    where += " on " + d.host;
  }
  if (!d.port.empty()) {
    where += " port " + d.port;
  }
  return d.name + where + (d.production ? " (production)" : " (development)");
}

// The release row (and the cause of an unreachable database).
void release_rows(std::ostream& os, const StatusReport& r)
{
  const auto& d = r.database;
  if (!d.reachable) {
    row(os, "release:", "unknown: database unreachable");
    row(os, "cause:", d.error.substr(0, d.error.find('\n')));
  } else if (!r.devel) {
    row(os, "release:", "none (sync-only project)");
  } else if (!d.has_meta) {
    row(os, "release:", "none: half_orm_meta is missing");
  } else if (!d.release) {
    row(os, "release:", "none");
  } else {
    std::string note;
    // In production the pending row says what upgrade would replay.
    if (r.expected_release && *r.expected_release != *d.release &&
        !d.production) {
      note = " (the branch is at " + r.expected_release->str() +
             ((r.git.branch && Version::from_branch(*r.git.branch))
                  ? ": run 'git hop apply')"
                  : ")");
    }
    row(os, "release:", d.release->str() + note);
  }
}

// The branch, head, released and preparing rows.
void git_rows(std::ostream& os, const StatusReport& r)
{
  const auto& g = r.git;
  if (!g.present) {
    row(os, "branch:", "(not a git repository)");
  } else {
    std::string state =
        g.clean ? "clean"
                : std::to_string(g.changes) +
                      (g.changes == 1 ? " changed file" : " changed files");
    row(os,
        "branch:", g.branch.value_or("(detached HEAD)") + " (" + state + ")");
    row(os,
        "head:", g.head ? git::Repository::short_id(*g.head) : "(no commit)");
  }
  if (r.devel) {
    row(os, "released:", r.last_tag ? r.last_tag->str() : "none");
    std::string prep;
    for (const auto& v : r.preparing) {
      prep += (prep.empty() ? "" : ", ") + v.str() + " (" + v.branch() + ")";
    }
    row(os, "preparing:", prep.empty() ? "none" : prep);
  }
}

// What upgrade and restore would work from, in production.
void production_rows(std::ostream& os, const StatusReport& r)
{
  if (!r.production_error.empty()) {
    row(os, "production:", "unknown: " + r.production_error);
  }
  if (!r.production) {
    return;
  }
  const auto& p = *r.production;
  if (p.interrupted) {
    row(os, "upgrade:",
        "interrupted in " + p.interrupted->release.str() + " (started " +
            p.interrupted->started_at +
            "): run 'git hop upgrade' to complete it");
  }
  std::string pending;
  for (const auto& v : p.pending) {
    pending += (pending.empty() ? "" : ", ") + v.str();
  }
  row(os, "pending:",
      pending.empty() ? "none" : pending + " (run 'git hop upgrade')");
  if (p.backups.empty()) {
    row(os, "backups:", "none");
  } else {
    const auto& last = p.backups.back();
    row(os, "backups:",
        std::to_string(p.backups.size()) + ", the last " +
            last.path.filename().string() + " (" +
            (last.release ? last.release->str() : std::string("untracked")) +
            ")");
  }
  for (const auto& line : p.drift) {
    row(os, "drift:", line);
  }
  if (!p.drift.empty()) {
    row(os, "repair:",
        "find who changed the schema; 'git hop upgrade --allow-drift' goes "
        "on regardless");
  }
  for (const auto& line : p.problems) {
    row(os, "problem:", line);
  }
}

} // namespace

std::string render_status_text(const StatusReport& r)
{
  std::ostringstream os;
  row(os, "project:", r.package + (r.devel ? " (devel)" : " (sync-only)"));
  row(os, "path:", r.root.string());
  const auto& d = r.database;
  row(os, "database:", describe_database(d));
  row(os, "connection:",
      d.connection_file.value_or("(no connection file; libpq defaults)"));
  release_rows(os, r);
  git_rows(os, r);
  production_rows(os, r);
  for (const auto& p : r.problems) {
    row(os, "problem:", p.message);
    row(os, "repair:", p.repair);
  }
  return os.str();
}

namespace {

void production_json(json::Writer& w, const StatusReport& r)
{
  if (!r.production) {
    if (r.production_error.empty()) {
      w.null();
    } else {
      w.begin_object();
      w.key("error").value(r.production_error);
      w.end_object();
    }
    return;
  }
  const auto& p = *r.production;
  w.begin_object();
  w.key("pending").begin_array();
  for (const auto& v : p.pending) {
    w.value(v.str());
  }
  w.end_array();
  w.key("interrupted");
  if (p.interrupted) {
    w.begin_object();
    w.key("release").value(p.interrupted->release.str());
    w.key("started_at").value(p.interrupted->started_at);
    w.key("client").value(p.interrupted->client);
    w.key("backup").value(p.interrupted->backup);
    w.end_object();
  } else {
    w.null();
  }
  w.key("backups").begin_array();
  for (const auto& b : p.backups) {
    w.begin_object();
    w.key("path").value(b.path.string());
    w.key("release");
    if (b.release) {
      w.value(b.release->str());
    } else {
      w.null();
    }
    w.key("taken_at").value(b.taken_at);
    w.key("bytes").value(static_cast<long long>(b.bytes));
    w.end_object();
  }
  w.end_array();
  w.key("drift").begin_array();
  for (const auto& line : p.drift) {
    w.value(line);
  }
  w.end_array();
  w.key("problems").begin_array();
  for (const auto& line : p.problems) {
    w.value(line);
  }
  w.end_array();
  w.end_object();
}

} // namespace

std::string render_status_json(const StatusReport& r,
                               const std::string& git_hop_version)
{
  json::Writer w;
  auto opt_str = [&](const std::optional<std::string>& s) -> json::Writer& {
    return s ? w.value(*s) : w.null();
  };
  auto opt_ver = [&](const std::optional<Version>& v) -> json::Writer& {
    return v ? w.value(v->str()) : w.null();
  };
  w.begin_object();
  w.key("git_hop_version").value(git_hop_version);
  w.key("project").begin_object();
  w.key("name").value(r.package);
  w.key("path").value(r.root.string());
  w.key("devel").value(r.devel);
  w.key("hop_version");
  opt_ver(r.config_hop_version);
  w.end_object();

  const auto& d = r.database;
  w.key("database").begin_object();
  w.key("name").value(d.name);
  w.key("user").value(d.user);
  w.key("host").value(d.host);
  w.key("port").value(d.port);
  w.key("production").value(d.production);
  w.key("connection_file");
  opt_str(d.connection_file);
  w.key("reachable").value(d.reachable);
  w.key("error");
  opt_str(d.reachable ? std::nullopt : std::optional<std::string>(d.error));
  w.key("release");
  opt_ver(d.release);
  w.key("matches_branch");
  if (d.release && r.expected_release) {
    w.value(*d.release == *r.expected_release);
  } else {
    w.null();
  }
  w.end_object();

  const auto& g = r.git;
  w.key("git").begin_object();
  w.key("present").value(g.present);
  w.key("branch");
  opt_str(g.branch);
  w.key("head");
  opt_str(g.head);
  w.key("clean").value(g.clean);
  w.key("changes").value(static_cast<long long>(g.changes));
  w.end_object();

  w.key("released");
  opt_ver(r.last_tag);
  w.key("preparing").begin_array();
  for (const auto& v : r.preparing) {
    w.begin_object();
    w.key("version").value(v.str());
    w.key("branch").value(v.branch());
    w.end_object();
  }
  w.end_array();
  w.key("problems").begin_array();
  for (const auto& p : r.problems) {
    w.begin_object();
    w.key("kind").value(p.kind);
    w.key("version");
    opt_ver(p.version);
    w.key("message").value(p.message);
    w.key("details").begin_array();
    for (const auto& line : p.details) {
      w.value(line);
    }
    w.end_array();
    w.key("repair").value(p.repair);
    w.end_object();
  }
  w.end_array();
  w.key("production");
  production_json(w, r);
  w.end_object();
  return w.str() + "\n";
}

} // namespace hop
