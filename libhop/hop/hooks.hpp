// The git hooks git-hop installs (pre-commit, pre-push) and the checks
// they run (design §7). The hook scripts are a few lines of sh that exec
// 'git hop hooks run <name>'; a hook the user had is kept as
// <name>.pre-hop and run first.
#pragma once

#include "project.hpp"

#include <filesystem>
#include <istream>
#include <string>
#include <vector>

namespace hop {
class Session;
}

namespace hop::git {
class Repository;
}

namespace hop::hooks {

const std::vector<std::string>& names();

// core.hooksPath (relative to the work tree root) or <common dir>/hooks.
std::filesystem::path hooks_dir(const git::Repository& repo);

enum class Slot { absent, ours, outdated, other };

struct HookStatus
{
  std::string name;
  std::filesystem::path path;
  Slot slot = Slot::absent;
  bool chained = false; // a <name>.pre-hop runs first
  bool enabled = true;  // per .hop/config
};

std::vector<HookStatus> status(const Project& project,
                               const git::Repository& repo);

// Install the hooks into `dir`. A hook of the user's is kept as
// <name>.pre-hop and chained; when a <name>.pre-hop already exists the
// install is refused unless `force` (which replaces it). Returns what it
// did, a line per hook.
std::vector<std::string> install(const std::filesystem::path& dir, bool force);

// Remove git-hop's hooks from `dir` and put back the chained ones.
std::vector<std::string> uninstall(const std::filesystem::path& dir);

// Run the checks of hook `name` with git's arguments and input; returns
// the exit status for git (0 lets the commit or push go on).
int run(Session& session, const std::string& name,
        const std::vector<std::string>& args, std::istream& input);

} // namespace hop::hooks
