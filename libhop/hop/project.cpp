#include "project.hpp"

#include "error.hpp"
#include "git/repository.hpp"
#include "report.hpp"

#include <hop/build_info.hpp>

#include <algorithm>
#include <cstdlib>

namespace hop {

namespace fs = std::filesystem;

std::optional<fs::path> find_project_root(const fs::path& start)
{
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) {
    return std::nullopt;
  }
  dir = dir.lexically_normal();
  while (true) {
    if (fs::is_regular_file(dir / ".hop" / "config", ec)) {
      return dir;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      return std::nullopt;
    }
    dir = dir.parent_path();
  }
}

namespace {

// Whether `inner` is `outer` or below it (both absolute and normal).
bool within(const fs::path& inner, const fs::path& outer)
{
  auto [o, i] =
      std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end() || (o->empty() && std::next(o) == outer.end());
}

fs::path normal(const fs::path& p)
{
  std::error_code ec;
  fs::path n = fs::weakly_canonical(p, ec);
  return (ec ? fs::absolute(p, ec) : n).lexically_normal();
}

Error not_a_project()
{
  return fatal("not a git-hop project (or any of the parent directories): "
               ".hop/config");
}

} // namespace

std::optional<fs::path> find_project_root_as_git(const fs::path& start)
{
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return v && *v;
  };
  if (!env("GIT_DIR") && !env("GIT_WORK_TREE")) {
    return find_project_root(start);
  }
  auto repo = git::Repository::discover(start);
  if (!repo) {
    return find_project_root(start);
  }
  if (!repo->has_work_tree()) {
    throw fatal("the git repository '" + repo->gitdir().string() +
                "' has no work tree")
        .detail("GIT_DIR names a bare repository: git finds no project files "
                "there.")
        .hint("Set GIT_WORK_TREE to the project's directory, or unset "
              "GIT_DIR.");
  }
  // The project is at or below git's top, on the way from where we are
  // (when we are in the work tree) up to the top.
  fs::path top = normal(repo->workdir());
  fs::path dir = normal(start);
  if (!within(dir, top)) {
    dir = top;
  }
  std::error_code ec;
  while (true) {
    if (fs::is_regular_file(dir / ".hop" / "config", ec)) {
      return dir;
    }
    if (dir == top || !dir.has_parent_path() || dir.parent_path() == dir) {
      return std::nullopt;
    }
    dir = dir.parent_path();
  }
}

Project load_project(const fs::path& start, Reporter& reporter)
{
  auto root = find_project_root_as_git(start);
  if (!root) {
    Error e = not_a_project();
    const char* git_dir = std::getenv("GIT_DIR");
    const char* work_tree = std::getenv("GIT_WORK_TREE");
    if ((git_dir && *git_dir) || (work_tree && *work_tree)) {
      e.detail("git's work tree is the one GIT_DIR or GIT_WORK_TREE decide " +
               std::string("(GIT_DIR=") + (git_dir ? git_dir : "") +
               ", GIT_WORK_TREE=" + (work_tree ? work_tree : "") + ").");
    }
    throw e.hint("Run 'git hop new <package> --devel' to create a project "
                 "from a database.");
  }
  Project p;
  p.root = *root;
  p.config = load_config(p.config_path(), ".hop/config");
  for (const auto& w : p.config.warnings) {
    reporter.warning(w);
  }
  check_hop_version(p.config, *Version::parse(HOP_VERSION), ".hop/config");
  p.connection = load_connection(p.config.project.name);
  return p;
}

} // namespace hop
