// The git binary, for what libgit2 1.5 does not do the way users expect:
// rebase (conflict messages, rerere), push and fetch (credentials, hooks,
// --atomic), ls-remote, branch -D; the identity and configuration git
// would use ('git var', 'git config'); the staged paths inside a hook
// ('git diff --cached'). The one place git-hop runs git. git gets SIGTERM
// when git-hop dies, so that it removes its lock files.
#pragma once

#include "../process.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hop::git {

// Run `git <args>` in `workdir`, never waiting for an editor; git's
// exit status is returned, not thrown.
process::Result run_git(const std::filesystem::path& workdir,
                        std::vector<std::string> args);

// Run `git <args>` about the repository `gitdir`, with `workdir` as the
// current directory (empty: ours): GIT_DIR names it, whatever a hook
// exported; with an empty `gitdir`, outside any repository (GIT_DIR set
// to /dev/null, so git looks for none). The user's configuration, git -c
// (GIT_CONFIG_PARAMETERS, GIT_CONFIG_COUNT...) and the identity variables
// apply. For questions to git ('git var', 'git config').
process::Result run_git_about(const std::filesystem::path& gitdir,
                              const std::filesystem::path& workdir,
                              std::vector<std::string> args);

// Write the content of blob `oid` of the repository `gitdir` to the file
// `fd` ('git cat-file blob'): git streams it (unless it is stored as a
// delta), git-hop's memory never holds it. Fatal when git fails.
void cat_blob(const std::filesystem::path& gitdir, const std::string& oid,
              int fd);

// Run it and throw hop::fatal(`what`) with git's last lines when it fails.
process::Result run_git_checked(const std::filesystem::path& workdir,
                                std::vector<std::string> args,
                                const std::string& what);

struct Rebase
{
  bool ok = false;
  std::vector<std::string> conflicts; // git's CONFLICT lines, when not ok
  std::vector<std::string> resolved;  // paths whose side `theirs` took
};

// Rebase the current branch of `workdir` on `onto`, with no hook. A
// conflict in paths that all satisfy `take_theirs` is solved by taking the
// rebased commit's side; any other conflict aborts the rebase (the
// repository is as it was) and is returned.
Rebase rebase(const std::filesystem::path& workdir, const std::string& onto,
              const std::function<bool(const std::string&)>& take_theirs);

// The staged paths (index against HEAD) of the work tree at
// `worktree_root`, from 'git diff --cached' (which honours GIT_INDEX_FILE,
// so it answers inside hooks, without starting libgit2); nullopt when git
// fails.
std::optional<std::vector<std::string>>
quick_staged_paths(const std::filesystem::path& worktree_root);

} // namespace hop::git
