// The git binary, for what libgit2 1.5 does not do the way users expect:
// rebase (conflict messages, rerere), push and fetch (credentials, hooks,
// --atomic), ls-remote, branch -D. The one place git-hop runs git.
#pragma once

#include "../process.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace hop::git {

// Run `git <args>` in `workdir`, never waiting for an editor; git's
// exit status is returned, not thrown.
process::Result run_git(const std::filesystem::path& workdir,
                        std::vector<std::string> args);

// Run it and throw hop::fatal(`what`) with git's last lines when it fails.
process::Result run_git_checked(const std::filesystem::path& workdir,
                                std::vector<std::string> args,
                                const std::string& what);

} // namespace hop::git
