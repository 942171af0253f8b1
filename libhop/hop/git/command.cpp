#include "command.hpp"

#include "../error.hpp"

#include <algorithm>
#include <csignal>

namespace hop::git {

process::Result run_git(const std::filesystem::path& workdir,
                        std::vector<std::string> args)
{
  process::Command cmd;
  cmd.env_set["GIT_EDITOR"] = "true"; // never wait for an editor
  cmd.argv = {"git"};
  for (auto& a : args) {
    cmd.argv.push_back(std::move(a));
  }
  cmd.cwd = workdir.string();
  cmd.parent_death_signal = SIGTERM; // git removes its locks, then dies
  return process::run(cmd);
}

process::Result run_git_about(const std::filesystem::path& gitdir,
                              const std::filesystem::path& workdir,
                              std::vector<std::string> args)
{
  process::Command cmd;
  cmd.argv = {"git"};
  for (auto& a : args) {
    cmd.argv.push_back(std::move(a));
  }
  cmd.clean_git_env = true;
  cmd.env_set["GIT_DIR"] = gitdir.empty() ? "/dev/null" : gitdir.string();
  cmd.cwd = workdir.string();
  cmd.parent_death_signal = SIGTERM;
  return process::run(cmd);
}

void cat_blob(const std::filesystem::path& gitdir, const std::string& oid,
              int fd)
{
  // Above core.bigFileThreshold (512 MiB by default) git streams a blob
  // that is not a delta instead of inflating it whole: 8 MiB of memory
  // for git, not the blob's size.
  // --no-replace-objects: the blob `oid` itself, as libgit2 reads it,
  // never what refs/replace/ substitutes for it.
  process::Command cmd{{"git", "--no-replace-objects", "-c",
                        "core.bigFileThreshold=1m", "cat-file", "blob", oid}};
  cmd.clean_git_env = true;
  cmd.env_set["GIT_DIR"] = gitdir.string();
  cmd.stdout_fd = fd;
  cmd.parent_death_signal = SIGTERM;
  process::run_checked(cmd, "cannot read blob " + oid + " from git");
}

process::Result run_git_checked(const std::filesystem::path& workdir,
                                std::vector<std::string> args,
                                const std::string& what)
{
  std::string shown = "git";
  for (const auto& a : args) {
    shown += " " + a;
  }
  auto r = run_git(workdir, std::move(args));
  if (!r.ok()) {
    Error e = fatal(what);
    e.detail("'" + shown + "' " + r.describe() + ":");
    for (const auto& line : process::last_lines(r.err, 10)) {
      e.detail("  " + line);
    }
    throw e;
  }
  return r;
}

Rebase rebase(const std::filesystem::path& workdir, const std::string& onto,
              const std::function<bool(const std::string&)>& take_theirs)
{
  const std::vector<std::string> no_hooks = {"-c", "core.hooksPath=/dev/null"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), no_hooks.begin(), no_hooks.end());
    return run_git(workdir, std::move(args));
  };
  Rebase out;
  auto r = with({"rebase", "--quiet", onto});
  for (int round = 0; !r.ok() && round < 100; ++round) {
    auto unmerged =
        run_git(workdir, {"diff", "--name-only", "--diff-filter=U"});
    std::vector<std::string> paths = process::last_lines(unmerged.out, 100000);
    if (paths.empty() ||
        !std::all_of(paths.begin(), paths.end(), take_theirs)) {
      break;
    }
    std::vector<std::string> checkout = {"checkout", "--theirs", "--"};
    std::vector<std::string> add = {"add", "--"};
    for (const auto& p : paths) {
      checkout.push_back(p);
      add.push_back(p);
      out.resolved.push_back(p);
    }
    run_git(workdir, checkout);
    run_git(workdir, add);
    r = with({"-c", "core.editor=true", "rebase", "--continue"});
    if (!r.ok() && (r.out + r.err).find("No changes") != std::string::npos) {
      r = with({"rebase", "--skip"});
    }
  }
  out.ok = r.ok();
  if (!out.ok) {
    run_git(workdir, {"rebase", "--abort"});
    for (const auto& line : process::last_lines(r.out + r.err, 20)) {
      if (line.find("CONFLICT") != std::string::npos) {
        out.conflicts.push_back(line);
      }
    }
  }
  return out;
}

std::optional<std::vector<std::string>>
quick_staged_paths(const std::filesystem::path& worktree_root)
{
  auto r = run_git(worktree_root, {"diff", "--cached", "--name-only", "-z",
                                   "--no-renames", "--no-ext-diff"});
  if (!r.ok()) {
    return std::nullopt;
  }
  std::vector<std::string> paths;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t end = r.out.find('\0', start);
    if (end == std::string::npos) {
      end = r.out.size();
    }
    if (end > start) {
      paths.push_back(r.out.substr(start, end - start));
    }
    start = end + 1;
  }
  return paths;
}

} // namespace hop::git
