#include "project_new.hpp"

#include "cleanup.hpp"
#include "codegen/naming.hpp"
#include "codegen/package.hpp"
#include "config.hpp"
#include "connection.hpp"
#include "db/connection.hpp"
#include "deploy/history.hpp"
#include "deploy/lock.hpp"
#include "error.hpp"
#include "git/repository.hpp"
#include "hooks.hpp"
#include "meta.hpp"
#include "notes.hpp"
#include "output.hpp"
#include "project.hpp"
#include "report.hpp"
#include "sha256.hpp"
#include "snapshot.hpp"
#include "templates.hpp"
#include "util/file.hpp"

#include <hop/build_info.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <optional>
#include <set>

namespace hop {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_identifier = 63; // PostgreSQL's NAMEDATALEN - 1

struct Plan
{
  fs::path target;
  ConnectionSettings settings;
  std::string dbname;
  bool create_database = false;
  bool write_connection_file = false;
  std::map<std::string, std::string> files; // relative path -> content
  Config config;
};

bool directory_writable(const fs::path& dir)
{
  std::error_code ec;
  fs::path probe = dir;
  // The nearest existing ancestor decides whether we can create `dir`.
  while (!fs::exists(probe, ec)) {
    if (!probe.has_parent_path() || probe.parent_path() == probe) {
      return false;
    }
    probe = probe.parent_path();
  }
  return fs::is_directory(probe, ec) && access(probe.c_str(), W_OK) == 0;
}

// The package name, the destination and the git identity.
void validate_destination(const NewOptions& o, Plan& plan)
{
  if (!codegen::valid_package_name(o.package)) {
    throw fatal("invalid package name '" + o.package + "'")
        .detail("A package name is a Python identifier made of ASCII letters, "
                "digits and '_', not starting with a digit, and not a Python "
                "keyword.")
        .hint("Try a name such as 'blog' or 'my_model'.");
  }
  if (auto root = find_project_root(o.cwd)) {
    throw fatal("already inside the git-hop project at '" + root->string() +
                "'")
        .hint("Run 'git hop new' outside of any project.");
  }
  plan.target = o.cwd / o.package;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(plan.target, ec))) {
    throw fatal("destination path '" + o.package + "' already exists")
        .hint("Choose another package name, or move '" + o.package +
              "' out of the way.");
  }
  if (std::string why; !git::default_signature_available(&why)) {
    throw fatal("no git identity to commit with")
        .detail(why)
        .hint("Run 'git config --global user.name \"Your Name\"' and 'git "
              "config --global user.email you@example.com'.");
  }
}

// The connection settings, the database name and the connection file.
void validate_connection(const NewOptions& o, Plan& plan)
{
  plan.settings = load_connection(o.package);
  if (o.database && plan.settings.file && *plan.settings.name != *o.database) {
    throw fatal("--database '" + *o.database + "' differs from the database '" +
                *plan.settings.name + "' of the connection file '" +
                plan.settings.file->string() + "'")
        .detail("Every later command would use the connection file's database.")
        .hint("Drop --database, or edit the connection file first.");
  }
  if (o.database) {
    plan.settings.name = *o.database;
  }
  plan.dbname = *plan.settings.name;
  if (plan.dbname.empty() || plan.dbname.size() > k_max_identifier) {
    throw fatal("invalid database name '" + plan.dbname + "'")
        .detail("A database name has 1 to 63 bytes.");
  }
  if (plan.settings.production) {
    throw fatal("the connection file '" + plan.settings.file->string() +
                "' marks database '" + plan.dbname + "' as production")
        .hint("Create projects from a development database; production "
              "databases are upgraded with 'git hop upgrade'.");
  }

  // The connection file: half_orm and later commands find the database
  // through it.
  if (!plan.settings.file) {
    fs::path dir = halform_conf_dir();
    if (directory_writable(dir)) {
      plan.write_connection_file = true;
    } else if (plan.dbname != o.package) {
      throw fatal("cannot write the connection file '" +
                  (dir / o.package).string() + "'")
          .detail("Database '" + plan.dbname +
                  "' differs from the package name, so git-hop must record it "
                  "there.")
          .hint("Set HALFORM_CONF_DIR to a writable directory, or create the "
                "file yourself with '[database]' and 'name = " +
                plan.dbname + "'.");
    }
  }
}

// The database: reachable, or missing and to be created.
void validate_database(const NewOptions& o, Plan& plan)
{
  std::string error;
  if (!db::Connection::try_connect(plan.settings.keywords(), &error)) {
    // Missing, or unreachable? Ask the server's maintenance database.
    std::optional<snapshot::Admin> admin;
    try {
      admin.emplace(plan.settings);
    } catch (const Error&) {
      // The server itself cannot be reached: say so below.
    }
    bool missing = admin && !admin->exists(plan.dbname);
    if (!missing) {
      throw fatal("cannot connect to database '" + plan.dbname + "'")
          .detail(error)
          .hint(plan.settings.file
                    ? "Check the connection file '" +
                          plan.settings.file->string() + "'."
                    : "Check the PG* variables (PGHOST, PGPORT, PGUSER...) or "
                      "write a connection file in " +
                          halform_conf_dir().string() + ".");
    }
    if (o.create_database ||
        (o.confirm_create && o.confirm_create(plan.dbname))) {
      plan.create_database = true;
    } else {
      throw fatal("database '" + plan.dbname + "' does not exist")
          .hint("Add --create-database to create it, or name an existing one "
                "with --database <name>.");
    }
  }
}

// Everything we will write, read now so a broken install fails before
// anything changes.
void plan_files(const NewOptions& o, Plan& plan)
{
  std::map<std::string, std::string> vars = {
      {"PACKAGE", o.package},
      {"DBNAME", plan.dbname},
      {"GIT_HOP_VERSION", HOP_VERSION},
  };
  plan.files["README.md"] =
      substitute(read_template("project/README.md"), vars);
  plan.files["pyproject.toml"] = substitute_toml(
      read_template("project/pyproject.toml"), vars, "project/pyproject.toml");
  plan.files[".gitignore"] =
      substitute(read_template("project/gitignore"), vars);
  plan.files["conftest.py"] =
      substitute(read_template("project/conftest.py"), vars);
  if (o.devel) {
    read_template("sql/half_orm_meta.sql");
    read_template("sql/hop_meta.sql");
  }
  plan.config.project.name = o.package;
  plan.config.project.hop_version = Version::parse(HOP_VERSION);
  plan.config.project.devel = o.devel;
  plan.files[".hop/config"] = render_config(plan.config);
}

Plan validate(const NewOptions& o)
{
  Plan plan;
  validate_destination(o, plan);
  validate_connection(o, plan);
  validate_database(o, plan);
  plan_files(o, plan);
  return plan;
}

// Undo the changes of a failed `new`, newest first.
class Rollback {
public:
  explicit Rollback(Reporter& reporter) : m_reporter(reporter) {}
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  ~Rollback()
  {
    if (m_done) {
      return;
    }
    for (auto it = m_steps.rbegin(); it != m_steps.rend(); ++it) {
      try {
        (*it)();
      } catch (const std::exception& e) {
        m_reporter.warning(std::string("while undoing 'git hop new': ") +
                           e.what());
      }
    }
  }
  void add(std::function<void()> step) { m_steps.push_back(std::move(step)); }
  void done() { m_done = true; }

private:
  Reporter& m_reporter;
  std::vector<std::function<void()>> m_steps;
  bool m_done = false;
};

// Write `files` from index `first` on (path relative to `root`, content)
// into the new project.
void write_files(const fs::path& root,
                 const std::vector<std::pair<std::string, std::string>>& files,
                 size_t first)
{
  std::set<fs::path> made;
  for (size_t i = first; i < files.size(); ++i) {
    fs::path path = root / files[i].first;
    if (made.insert(path.parent_path()).second) {
      fs::create_directories(path.parent_path());
    }
    util::write_file(path, files[i].second);
  }
}

// The database, created when it was missing; half_orm_meta in a devel
// project. Both undone by `rollback`.
void prepare_database(const NewOptions& o, const Plan& plan, NewResult& result,
                      Rollback& rollback, std::optional<db::Connection>& conn,
                      Reporter& reporter)
{
  if (plan.create_database) {
    snapshot::Admin(plan.settings).create(plan.dbname);
    result.created_database = true;
    reporter.progress("Created database '" + plan.dbname + "'.");
    rollback.add([settings = plan.settings, name = plan.dbname] {
      snapshot::Admin(settings).drop(name);
    });
  }
  conn.emplace(db::Connection::connect(plan.settings.keywords()));
  if (!o.devel) {
    return;
  }
  db::Transaction tx(*conn);
  meta::Installed installed = meta::install(*conn);
  result.release = meta::last_release(*conn);
  tx.commit();
  result.reused_meta = !installed.created_schema;
  if (!plan.create_database) {
    // Its own connection: `conn` is destroyed before `rollback` runs.
    rollback.add([settings = plan.settings, installed] {
      auto c = db::Connection::connect(settings.keywords());
      db::Transaction undo(c);
      meta::uninstall(c, installed);
      undo.commit();
    });
  }
}

// Every file of the first commit, in memory: written once, then staged
// from these very bytes (git never reads them back).
struct ProjectFiles
{
  std::vector<std::pair<std::string, std::string>> files;
  std::string schema_sha256;
  std::string metadata_sha256;
};

// Write the files of `plan`, the package and (devel) the baselines into
// `staging`; the package's warnings go to `reporter`.
ProjectFiles write_project(const NewOptions& o, Plan& plan,
                           db::Connection& conn, const fs::path& staging,
                           NewResult& result, Reporter& reporter)
{
  ProjectFiles out;
  auto& files = out.files;
  files.assign(std::make_move_iterator(plan.files.begin()),
               std::make_move_iterator(plan.files.end()));
  // The baselines are dumped while the package is generated and written
  // (two pg_dumps in the background: no thread, so nothing races with
  // cleanup's signal handling; a signal stops them with git-hop).
  std::optional<snapshot::PendingBaselines> dumps;
  if (o.devel) {
    dumps.emplace(snapshot::start_baselines(plan.settings));
  }
  std::vector<std::string> warnings;
  if (plan.config.python.package) {
    codegen::Plan gen = codegen::plan_from_database(conn, staging, o.package);
    codegen::check_plan(gen, o.package);
    warnings = std::move(gen.warnings);
    result.package_files = gen.changes.size();
    for (auto& change : gen.changes) {
      files.emplace_back(std::move(change.path), std::move(change.content));
    }
    files.emplace_back(o.package + "/version.txt",
                       (result.release ? result.release->str() : "0.0.0") +
                           "\n");
  }
  write_files(staging, files, 0);
  if (o.devel) {
    std::string schema = dumps->schema.get();
    std::string metadata = dumps->metadata.get();
    std::string version = result.release->str();
    out.schema_sha256 = sha256_hex(schema);
    out.metadata_sha256 = sha256_hex(metadata);
    files.emplace_back(snapshot::schema_file(version), std::move(schema));
    files.emplace_back(snapshot::metadata_file(version), std::move(metadata));
    write_files(staging, files, files.size() - 2);
  }
  for (const auto& w : warnings) {
    reporter.warning(w);
  }
  output::trace("new: wrote " + std::to_string(files.size()) + " files");
  return out;
}

// The repository in `staging`: the first commit (with its note and tag in
// a devel project) and the hooks (not when core.hooksPath is set).
void make_repository(const NewOptions& o, const fs::path& staging,
                     const ProjectFiles& written, NewResult& result)
{
  auto repo = git::Repository::init(staging, deploy::k_main_branch);
  repo.write_objects_as_one_pack([&] {
    repo.stage_written_files(written.files);
    std::string title = o.devel ? "[" + result.release->str() + "] " : "";
    result.commit = repo.commit(title + "git hop new " + o.package);
    if (o.devel) {
      notes::Note note;
      note.version = *result.release;
      note.message = "git hop new " + o.package;
      note.git_hop_version = HOP_VERSION;
      note.released_at = notes::utc_now();
      note.schema_sha256 = written.schema_sha256;
      note.metadata_sha256 = written.metadata_sha256;
      repo.add_note(notes::k_ref, result.commit, notes::render(note));
    }
  });
  if (o.devel) {
    // After the pack: a tag object is reached by no commit.
    std::string v = result.release->str();
    repo.create_tag(v, result.commit, v + "\n\nRelease " + v + ".");
  }
  if (!repo.config_string("core.hooksPath")) {
    hooks::install(staging / ".git" / "hooks", false);
    result.hooks_installed = true;
  }
}

// $HALFORM_CONF_DIR/<package>, naming the database.
void write_connection_file(const NewOptions& o, const Plan& plan,
                           NewResult& result, Rollback& rollback)
{
  fs::path file = halform_conf_dir() / o.package;
  fs::create_directories(file.parent_path());
  ConnectionSettings written;
  written.name = plan.dbname;
  util::write_file(file, render_connection_file(written));
  result.wrote_connection_file = file;
  rollback.add([file] {
    std::error_code ec;
    fs::remove(file, ec);
  });
}

} // namespace

NewResult create_project(const NewOptions& o, Reporter& reporter)
{
  Plan plan = validate(o);
  NewResult result;
  result.database = plan.dbname;
  // One git-hop at a time per database: `new --devel` installs
  // half_orm_meta in it. Not waited for: a database another git-hop is
  // working on is no database to start a project from.
  std::optional<deploy::Lock> lock;
  if (o.devel) {
    lock.emplace(deploy::Lock::acquire(plan.settings, plan.dbname, "new", 0,
                                       null_reporter()));
  }
  Rollback rollback(reporter);
  std::optional<db::Connection> conn;
  prepare_database(o, plan, result, rollback, conn, reporter);

  // Build the project in a hidden sibling, then rename it into place; it
  // is removed if git-hop is stopped by a signal, and by the next 'new'
  // after a SIGKILL.
  cleanup::sweep(o.cwd);
  fs::path staging =
      o.cwd / ("." + o.package + ".hop-new-" + cleanup::owner_tag());
  cleanup::Registered staging_registered(staging);
  fs::create_directories(staging / ".hop");
  rollback.add([staging] {
    std::error_code ec;
    fs::remove_all(staging, ec);
  });
  ProjectFiles written =
      write_project(o, plan, *conn, staging, result, reporter);
  make_repository(o, staging, written, result);
  if (o.devel) {
    // The row of the release names its commit, as every release's does
    // (a reused row that names one already keeps it).
    for (const auto& row : meta::read_record(*conn).releases) {
      if (row.version == *result.release && !row.commit) {
        meta::stamp_commits(*conn, {{*result.release, result.commit}});
      }
    }
  }
  if (plan.write_connection_file) {
    write_connection_file(o, plan, result, rollback);
  }

  // RENAME_NOREPLACE: a directory that appeared meanwhile is never replaced.
  if (renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, plan.target.c_str(),
                RENAME_NOREPLACE) != 0) {
    throw fatal("cannot move the new project into '" + plan.target.string() +
                "'")
        .detail(std::strerror(errno));
  }
  staging_registered.release();
  result.root = plan.target;
  rollback.done();
  return result;
}

} // namespace hop
