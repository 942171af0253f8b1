#include "hooks.hpp"

#include "codegen/package.hpp"
#include "db/connection.hpp"
#include "error.hpp"
#include "git/repository.hpp"
#include "output.hpp"
#include "patches.hpp"
#include "release.hpp"
#include "scratch.hpp"
#include "session.hpp"
#include "templates.hpp"
#include "testrun.hpp"

#include <toml++/toml.h>

#include <sys/stat.h>

#include <cstdlib>
#include <sstream>

namespace hop::hooks {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_marker = "git hop hooks run";

std::string script_of(const std::string& name)
{
  return read_data("hooks/" + name);
}

Slot slot_of(const fs::path& path, const std::string& ours)
{
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    return Slot::absent;
  }
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error&) {
    return Slot::other;
  }
  if (text == ours) {
    return Slot::ours;
  }
  return text.find(k_marker) != std::string::npos ? Slot::outdated
                                                  : Slot::other;
}

fs::path chained_path(const fs::path& dir, const std::string& name)
{
  return dir / (name + ".pre-hop");
}

void write_executable(const fs::path& path, const std::string& text)
{
  fs::path tmp = path;
  tmp += ".hop-tmp";
  write_file(tmp, text);
  chmod(tmp.c_str(), 0755);
  fs::rename(tmp, path);
}

bool enabled(const Project& project, const std::string& name)
{
  return name == "pre-commit" ? project.config.hooks.pre_commit
                              : project.config.hooks.pre_push;
}

// --- pre-commit -----------------------------------------------------------

bool touches_release(const std::vector<std::string>& paths,
                     const std::string& package)
{
  for (const auto& p : paths) {
    if (p.rfind("Patches/", 0) == 0 || p.rfind("model/", 0) == 0 ||
        p.rfind(package + "/", 0) == 0) {
      return true;
    }
  }
  return false;
}

// The package files that differ from what git-hop generates from the
// database `settings`, for the package files in `files` (path, content).
std::vector<std::string> package_differences(
    const Project& project, const ConnectionSettings& settings,
    const std::vector<std::pair<std::string, std::string>>& files)
{
  ScratchDir tmp("git-hop-check");
  for (const auto& [path, content] : files) {
    fs::create_directories((tmp.path() / path).parent_path());
    write_file(tmp.path() / path, content);
  }
  auto conn = db::Connection::connect(settings.keywords());
  codegen::Plan plan = codegen::plan_from_database(conn, tmp.path(),
                                                   project.config.project.name);
  std::vector<std::string> problems = plan.errors;
  for (const auto& c : plan.changes) {
    bool present = false;
    for (const auto& f : files) {
      present = present || f.first == c.path;
    }
    problems.push_back(c.path + (c.remove ? ": should be removed"
                                 : present
                                     ? ": differs from what git-hop generates"
                                     : ": is missing"));
  }
  return problems;
}

int pre_commit(Session& session)
{
  const Project& project = session.project();
  if (!project.config.project.devel) {
    return 0;
  }
  // Most commits touch no release file: decide that without starting
  // libgit2 (whose start costs more than the rest of the hook).
  git::Repository* repo = nullptr;
  auto open = [&]() -> bool {
    if (!repo && session.has_repo()) {
      repo = &session.repo();
    }
    return repo != nullptr;
  };
  auto branch = git::quick_branch(project.root);
  if (!branch) {
    if (!open() || !(branch = repo->current_branch())) {
      return 0;
    }
  }
  if (*branch == "hop_main") {
    output::error("pre-commit: commits on hop_main are made by 'git hop "
                  "release'");
    output::hint("Prepare a release ('git hop prepare -l patch -m <message>') "
                 "and commit on its branch.");
    output::hint("To commit here anyway: git commit --no-verify");
    return 1;
  }
  auto v = Version::from_branch(*branch);
  if (!v) {
    return 0;
  }
  const std::string& package = project.config.project.name;
  auto staged = git::quick_staged_paths(project.root);
  if (!staged) {
    if (!open()) {
      return 0;
    }
    staged = repo->staged_paths();
  }
  if (!touches_release(*staged, package) || !open()) {
    return 0;
  }
  release::State state = release::read_state(*repo);
  if (!state.last || *v <= *state.last) {
    return 0;
  }
  output::info("pre-commit: checking " + v->str() + " as staged");
  patches::Release rel = patches::read_index(*repo, *v);
  std::optional<release::Check> check;
  try {
    check.emplace(release::build_check(session, &rel, "__hop_check"));
  } catch (const Error& e) {
    Error as_staged = failure("pre-commit: " + v->str() +
                              " does not apply as staged: " + e.what());
    for (const auto& d : e.details()) {
      if (d.rfind("Nothing was changed", 0) != 0) {
        as_staged.detail(d);
      }
    }
    for (const auto& h : e.hints()) {
      as_staged.hint(h);
    }
    output::render(as_staged);
    return 1;
  }
  std::vector<std::string> problems;
  if (project.config.python.package) {
    problems = package_differences(project, check->database.settings(),
                                   repo->read_index_prefix(package + "/"));
  }
  check.reset();
  if (!problems.empty()) {
    Error e = failure("pre-commit: the staged package '" + package +
                      "' is not the one " + v->str() + " generates");
    for (const auto& p : problems) {
      e.detail(p);
    }
    e.hint("Run 'git hop apply', review and stage the package, then commit.");
    output::render(e);
    return 1;
  }
  return 0;
}

// --- pre-push -------------------------------------------------------------

std::optional<std::string> check_note(const git::Repository& repo,
                                      const std::string& commit,
                                      const Version& v)
{
  auto note = repo.read_note("refs/notes/hop", commit);
  if (!note) {
    // The project's first release is the tag 'git hop new' made: it has no
    // note (only 'git hop release' writes one).
    bool first = true;
    for (const auto& tag : repo.tags()) {
      auto t = Version::parse(tag);
      first = first && !(t && *t < v);
    }
    if (first) {
      return std::nullopt;
    }
    return "release " + v.str() +
           " has no note in refs/notes/hop ('git hop "
           "release' writes it)";
  }
  try {
    toml::table t = toml::parse(*note);
    if (t["version"].value_or(std::string()) != v.str()) {
      return "the note of " + v.str() + " is for another version";
    }
    if (t["tests"]["failed"].value_or(0) != 0) {
      return "the note of " + v.str() + " records failed tests";
    }
  } catch (const toml::parse_error&) {
    return "the note of " + v.str() + " is not valid TOML";
  }
  return std::nullopt;
}

std::optional<std::string> test_release_branch(Session& session,
                                               const git::Repository& repo,
                                               const Version& v,
                                               const std::string& sha)
{
  const Project& project = session.project();
  patches::Release rel = patches::read_tree(repo, sha, v);
  std::optional<release::Check> check;
  try {
    check.emplace(release::build_check(session, &rel, "__hop_check"));
  } catch (const Error& e) {
    return std::string("does not apply: ") + e.what() +
           (e.details().empty() ? "" : " (" + e.details().front() + ")");
  }
  std::optional<std::string> problem;
  if (repo.head_id() == sha) {
    testrun::Summary s =
        testrun::run_tests_on(project, check->database.settings());
    if (!s.passed) {
      problem = "its tests fail (" + testrun::describe(s) + ")";
    }
  } else {
    output::warning("pre-push: " + v.branch() +
                    " is not checked out: its tests were not run");
  }
  return problem;
}

int pre_push(Session& session, std::istream& input)
{
  const Project& project = session.project();
  if (!session.has_repo() || !project.config.project.devel) {
    return 0;
  }
  git::Repository* repo = &session.repo();
  release::State state = release::read_state(*repo);
  int failed = 0;
  std::string line;
  while (std::getline(input, line)) {
    std::istringstream fields(line);
    std::string local_ref, local_sha, remote_ref, remote_sha;
    if (!(fields >> local_ref >> local_sha >> remote_ref >> remote_sha) ||
        local_sha.find_first_not_of('0') == std::string::npos) {
      continue; // blank line, or a deletion
    }
    std::optional<std::string> problem;
    std::string commit = repo->resolve(local_sha).value_or(local_sha);
    if (local_ref == "refs/heads/hop_main") {
      std::optional<Version> tagged;
      for (const auto& tag : repo->tags()) {
        auto v = Version::parse(tag);
        if (v && repo->resolve("refs/tags/" + tag) == commit &&
            (!tagged || *v > *tagged)) {
          tagged = v;
        }
      }
      problem = tagged ? check_note(*repo, commit, *tagged)
                       : std::optional<std::string>(
                             "its tip " + commit.substr(0, 7) +
                             " is not a release (no X.Y.Z tag on it)");
    } else if (local_ref.rfind("refs/tags/", 0) == 0) {
      if (auto v = Version::parse(local_ref.substr(10))) {
        problem = check_note(*repo, commit, *v);
      }
    } else if (auto v = Version::from_branch(
                   local_ref.rfind("refs/heads/", 0) == 0 ? local_ref.substr(11)
                                                          : "")) {
      if (state.last && *v > *state.last) {
        output::info("pre-push: checking " + v->branch());
        problem = test_release_branch(session, *repo, *v, commit);
      }
    }
    if (problem) {
      output::error("pre-push: " + local_ref + ": " + *problem);
      ++failed;
    }
  }
  if (failed) {
    output::hint("To push anyway: git push --no-verify");
  }
  return failed ? 1 : 0;
}

} // namespace

const std::vector<std::string>& names()
{
  static const std::vector<std::string> n = {"pre-commit", "pre-push"};
  return n;
}

fs::path hooks_dir(const git::Repository& repo)
{
  if (auto configured = repo.config_string("core.hooksPath")) {
    fs::path p = *configured;
    if (p.is_relative()) {
      p = repo.workdir() / p;
    }
    return p;
  }
  return repo.commondir() / "hooks";
}

std::vector<HookStatus> status(const Project& project,
                               const git::Repository& repo)
{
  std::vector<HookStatus> out;
  fs::path dir = hooks_dir(repo);
  for (const auto& name : names()) {
    HookStatus s;
    s.name = name;
    s.path = dir / name;
    s.slot = slot_of(s.path, script_of(name));
    std::error_code ec;
    s.chained = fs::exists(chained_path(dir, name), ec);
    s.enabled = enabled(project, name);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> install(const fs::path& dir, bool force)
{
  // Validate every hook first, then act.
  std::vector<std::pair<std::string, std::string>> scripts;
  for (const auto& name : names()) {
    std::string ours = script_of(name);
    std::error_code ec;
    if (slot_of(dir / name, ours) == Slot::other &&
        fs::exists(chained_path(dir, name), ec) && !force) {
      throw fatal("cannot install the " + name + " hook: '" +
                  (dir / name).string() + "' is not git-hop's and '" +
                  chained_path(dir, name).string() + "' already exists")
          .detail("git-hop keeps your hook as " + name +
                  ".pre-hop and runs it first; that name is taken.")
          .hint("Move one of them away, or run 'git hop hooks install --force' "
                "to keep the current hook as " +
                name +
                ".pre-hop (replacing "
                "the file of that name).");
    }
    scripts.emplace_back(name, std::move(ours));
  }
  fs::create_directories(dir);
  std::vector<std::string> report;
  for (const auto& [name, ours] : scripts) {
    fs::path path = dir / name;
    switch (slot_of(path, ours)) {
    case Slot::absent:
      write_executable(path, ours);
      report.push_back(name + ": installed");
      break;
    case Slot::ours:
      report.push_back(name + ": up to date");
      break;
    case Slot::outdated:
      write_executable(path, ours);
      report.push_back(name + ": updated");
      break;
    case Slot::other:
      fs::rename(path, chained_path(dir, name));
      write_executable(path, ours);
      report.push_back(name + ": installed; your hook runs first (kept as " +
                       name + ".pre-hop)");
      break;
    }
  }
  return report;
}

std::vector<std::string> uninstall(const fs::path& dir)
{
  std::vector<std::string> report;
  for (const auto& name : names()) {
    fs::path path = dir / name;
    fs::path chained = chained_path(dir, name);
    std::error_code ec;
    Slot slot = slot_of(path, script_of(name));
    if (slot == Slot::other) {
      report.push_back(name + ": left alone (not git-hop's)");
      continue;
    }
    if (slot != Slot::absent) {
      fs::remove(path);
    }
    if (fs::exists(chained, ec)) {
      fs::rename(chained, path);
      report.push_back(name + ": removed; your hook is back");
    } else {
      report.push_back(
          name + (slot == Slot::absent ? ": not installed" : ": removed"));
    }
  }
  return report;
}

int run(Session& session, const std::string& name,
        const std::vector<std::string>& args, std::istream& input)
{
  (void)args;
  const char* env = std::getenv("GIT_HOP_HOOKS");
  if (env && std::string_view(env) == "0") {
    return 0;
  }
  if (name != "pre-commit" && name != "pre-push") {
    throw usage_error("unknown hook '" + name +
                      "': expected pre-commit or "
                      "pre-push");
  }
  if (!find_project_root(session.cwd())) {
    return 0; // not a git-hop project: nothing to check
  }
  if (!enabled(session.project(), name)) {
    return 0;
  }
  return name == "pre-commit" ? pre_commit(session) : pre_push(session, input);
}

} // namespace hop::hooks
