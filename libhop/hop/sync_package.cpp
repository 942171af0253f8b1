#include "sync_package.hpp"

#include "db/connection.hpp"
#include "error.hpp"

namespace hop {

codegen::Summary sync_package(const Project& project)
{
  if (!project.config.python.package) {
    throw fatal("package generation is off for this project")
        .detail(".hop/config sets 'package = false' under [python].")
        .hint("Set it to true to generate the half_orm package.");
  }
  auto conn = db::Connection::connect(project.connection.keywords());
  return codegen::generate_package(conn, project.root,
                                   project.config.project.name);
}

} // namespace hop
