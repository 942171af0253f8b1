// The git hooks git-hop installs (pre-commit, pre-push) and the checks
// they run (design §7). The hook scripts are a few lines of sh that exec
// 'git hop hooks run <name>'; a hook the user had is kept as
// <name>.pre-hop and run first.
//
//   hooks/files.cpp       installing, removing and inspecting the scripts
//   hooks/pre_commit.cpp  the pre-commit check
//   hooks/pre_push.cpp    the pre-push check, and git's pre-push input
//   hooks.cpp             run(): which check, for which hook
#pragma once

#include "error.hpp"
#include "project.hpp"

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>
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

// What a check found, for the CLI to render: the exit status for git (0
// lets the commit or push go on), each problem as an error with its
// details and hints, warnings, and hints for the whole run.
struct Report
{
  int status = 0;
  std::vector<Error> problems;
  std::vector<std::string> warnings;
  std::vector<std::string> hints;
};

// Run the checks of hook `name` with git's arguments and input.
Report run(Session& session, const std::string& name,
           const std::vector<std::string>& args, std::istream& input);

// One line of git's pre-push input: "<local ref> <local sha> <remote ref>
// <remote sha>".
struct PushedRef
{
  std::string local_ref;
  std::string local_sha;
  std::string remote_ref;
  std::string remote_sha;
  bool deletion = false; // the local sha is all zeros
};

// Parse git's pre-push input (githooks(5)); blank lines are skipped, a
// malformed line is a fatal error naming it.
std::vector<PushedRef> parse_pre_push(std::string_view input);

} // namespace hop::hooks
