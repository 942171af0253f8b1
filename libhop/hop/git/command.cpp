#include "command.hpp"

#include "../error.hpp"

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

} // namespace hop::git
