// The pre-commit check (design §7): commits on hop_main are refused; on a
// release branch, a staged change to the release's files must apply and
// give the staged package.
#include "../codegen/package.hpp"
#include "../db/connection.hpp"
#include "../deploy/history.hpp"
#include "../git/command.hpp"
#include "../git/repository.hpp"
#include "../patches.hpp"
#include "../release.hpp"
#include "../scratch.hpp"
#include "../session.hpp"
#include "../util/file.hpp"
#include "internal.hpp"

namespace hop::hooks::detail {

namespace fs = std::filesystem;

namespace {

// The same rule as hooks/pre-commit, which decides it without starting
// git-hop: keep both in step.
bool touches_release(const std::vector<std::string>& paths,
                     const std::string& package)
{
  for (const auto& p : paths) {
    if (p.rfind("Patches/", 0) == 0 || p.rfind("model/", 0) == 0 ||
        p.rfind(".hop/", 0) == 0 || p.rfind(package + "/", 0) == 0) {
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
  TempDir tmp("git-hop-check");
  for (const auto& [path, content] : files) {
    fs::create_directories((tmp.path() / path).parent_path());
    util::write_file(tmp.path() / path, content);
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

} // namespace

namespace {

// The release whose files the commit changes, when there is one to
// check; a commit on hop_main is refused in `report`. Most commits touch
// no release file: that is decided without starting libgit2 (whose start
// costs more than the rest of the hook).
std::optional<Version> release_to_check(Session& session, Report& report)
{
  const Project& project = session.project();
  git::Repository* repo = nullptr;
  auto open = [&]() -> bool {
    if (!repo && session.has_repo()) {
      repo = &session.repo();
    }
    return repo != nullptr;
  };
  auto branch = git::quick_branch(project.root);
  if (!branch && (!open() || !(branch = repo->current_branch()))) {
    return std::nullopt;
  }
  if (*branch == deploy::k_main_branch) {
    report.status = 1;
    report.problems.push_back(
        failure("pre-commit: commits on " + std::string(deploy::k_main_branch) +
                " are made by 'git hop release'")
            .hint("Prepare a release ('git hop prepare -l patch -m "
                  "<message>') and commit on its branch.")
            .hint("To commit here anyway: git commit --no-verify"));
    return std::nullopt;
  }
  auto v = Version::from_branch(*branch);
  if (!v) {
    return std::nullopt;
  }
  auto staged = git::quick_staged_paths(project.root);
  if (!staged) {
    if (!open()) {
      return std::nullopt;
    }
    staged = repo->staged_paths();
  }
  if (!touches_release(*staged, project.config.project.name) || !open()) {
    return std::nullopt;
  }
  release::State state = release::read_state(*repo);
  if (!state.last || *v <= *state.last) {
    return std::nullopt;
  }
  return v;
}

} // namespace

Report pre_commit(Session& session)
{
  Report report;
  const Project& project = session.project();
  if (!project.config.project.devel) {
    return report;
  }
  std::optional<Version> v = release_to_check(session, report);
  if (!v) {
    return report;
  }
  git::Repository* repo = &session.repo();
  const std::string& package = project.config.project.name;
  session.report().progress("pre-commit: checking " + v->str() + " as staged");
  patches::Release rel = patches::read_index(*repo, *v);
  std::optional<release::Check> check;
  try {
    // Nothing is changed by a check: its errors need not say so.
    check.emplace(release::build_check(session, &rel, "__hop_check", ""));
  } catch (const Error& e) {
    Error as_staged = failure("pre-commit: " + v->str() +
                              " does not apply as staged: " + e.what());
    for (const auto& d : e.details()) {
      as_staged.detail(d);
    }
    for (const auto& h : e.hints()) {
      as_staged.hint(h);
    }
    report.status = 1;
    report.problems.push_back(std::move(as_staged));
    return report;
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
    report.status = 1;
    report.problems.push_back(std::move(e));
  }
  return report;
}

} // namespace hop::hooks::detail
