// git hop sync-package: the half_orm package generated again from the
// live database (also the only command of a devel = false project).
#pragma once

#include "codegen/package.hpp"
#include "project.hpp"

namespace hop {

// Regenerate the package of `project` from its database. Fatal when
// python.package is false.
codegen::Summary sync_package(const Project& project);

} // namespace hop
