#include "hooks.hpp"

#include "hooks/internal.hpp"
#include "session.hpp"

#include <cstdlib>

namespace hop::hooks {

namespace detail {

bool enabled(const Project& project, const std::string& name)
{
  return name == "pre-commit" ? project.config.hooks.pre_commit
                              : project.config.hooks.pre_push;
}

} // namespace detail

Report run(Session& session, const std::string& name,
           const std::vector<std::string>& args, std::istream& input)
{
  (void)args;
  const char* env = std::getenv("GIT_HOP_HOOKS");
  if (env && std::string_view(env) == "0") {
    return {};
  }
  if (name != "pre-commit" && name != "pre-push") {
    throw usage_error("unknown hook '" + name +
                      "': expected pre-commit or pre-push");
  }
  if (!find_project_root_as_git(session.cwd())) {
    return {}; // not a git-hop project: nothing to check
  }
  if (!detail::enabled(session.project(), name)) {
    return {};
  }
  return name == "pre-commit" ? detail::pre_commit(session)
                              : detail::pre_push(session, input);
}

} // namespace hop::hooks
