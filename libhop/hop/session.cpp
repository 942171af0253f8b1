#include "session.hpp"

#include "db/cluster.hpp"
#include "db/connection.hpp"
#include "error.hpp"
#include "git/repository.hpp"
#include "output.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace hop {

namespace {

class NullReporter : public Reporter {
public:
  void progress(std::string_view) override {}
  void warning(std::string_view) override {}
  void verbose(std::string_view) override {}
};

} // namespace

Reporter& null_reporter()
{
  static NullReporter r;
  return r;
}

Session::Session(std::filesystem::path cwd, Reporter& reporter)
    : m_cwd(std::move(cwd)), m_reporter(&reporter)
{
}

Session::~Session()
{
  // Connections first: a database is dropped only without sessions.
  m_db.reset();
  if (m_drops.empty()) {
    return;
  }
  // The result first: when stdout is a pipe (CI, scripts), what the
  // command printed would otherwise wait for the drops. A reader already
  // gone must not kill git-hop before them: the SIGPIPE comes after.
  struct sigaction ignore = {};
  struct sigaction old = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old);
  std::cout.flush();
  bool pipe_gone = std::fflush(stdout) != 0 && errno == EPIPE;
  pipe_gone = pipe_gone || (!std::cout && errno == EPIPE);
  std::fflush(stderr);
  sigaction(SIGPIPE, &old, nullptr);
  try {
    cluster().drop_detached(m_drops);
  } catch (const std::exception& e) {
    output::trace(std::string("session: cannot drop ") + m_drops.front() +
                  ": " + e.what());
  }
  if (pipe_gone) {
    std::raise(SIGPIPE); // as the write would have, now
  }
}

void refuse_production(const Project& project, const std::string& command)
{
  throw fatal("database '" +
              project.connection.name.value_or(project.config.project.name) +
              "' is a production database")
      .detail("The connection file '" +
              project.connection.file.value_or("").string() +
              "' sets 'production = True'; '" + command +
              "' works on development databases.")
      .hint("Production databases are upgraded with 'git hop upgrade'.");
}

void refuse_sync_only(const std::string& command)
{
  throw fatal("this project is not in devel mode")
      .detail(".hop/config sets 'devel = false': git-hop only generates its "
              "package ('git hop sync-package'); '" +
              command + "' needs releases.");
}

void Session::expect(Needs needs, const std::string& command)
{
  m_needs = needs;
  m_command = command;
  m_set_up = false;
}

void Session::setup()
{
  if (m_set_up) {
    return;
  }
  m_set_up = true;
  if (m_needs == Needs::nothing) {
    return;
  }
  const Project& p = project();
  if (m_needs == Needs::devel && !p.config.project.devel) {
    refuse_sync_only("git hop " + m_command);
  }
  if (m_needs == Needs::repository || m_needs == Needs::devel) {
    repo();
  }
}

const Project& Session::project()
{
  if (!m_project) {
    m_project = load_project(m_cwd, *m_reporter);
    setup();
  }
  return *m_project;
}

bool Session::has_repo()
{
  project();
  if (!m_repo_looked_up) {
    m_repo_looked_up = true;
    if (auto r = git::Repository::discover(project().root)) {
      m_repo = std::make_unique<git::Repository>(std::move(*r));
    }
  }
  return m_repo != nullptr;
}

git::Repository& Session::repo()
{
  if (!has_repo()) {
    throw fatal("'" + project().root.string() + "' is not a git repository")
        .hint("A git-hop project is a git repository: 'git hop new' makes "
              "one.");
  }
  return *m_repo;
}

std::string Session::dbname()
{
  const Project& p = project();
  return p.connection.name.value_or(p.config.project.name);
}

ConnectionSettings Session::database_settings()
{
  ConnectionSettings s = project().connection;
  s.name = dbname();
  return s;
}

db::Connection& Session::database()
{
  if (!m_db) {
    m_db = std::make_unique<db::Connection>(
        db::Connection::connect(database_settings().keywords()));
  }
  return *m_db;
}

void Session::close_database()
{
  m_db.reset();
}

db::Cluster& Session::cluster()
{
  if (!m_cluster) {
    m_cluster = std::make_unique<db::Cluster>(database_settings());
  }
  return *m_cluster;
}

void Session::drop_after(std::string db)
{
  m_drops.push_back(std::move(db));
}

} // namespace hop
