// Shared by the files of the hooks module only.
#pragma once

#include "../hooks.hpp"

namespace hop::hooks::detail {

bool enabled(const Project& project, const std::string& name);
Report pre_commit(Session& session);
Report pre_push(Session& session, std::istream& input);

} // namespace hop::hooks::detail
