#include "cli.hpp"

int cmd_new(const cli::Args& args);
int cmd_status(const cli::Args& args);
int cmd_sync_package(const cli::Args& args);

namespace cli {

const std::vector<Command>& commands()
{
  static const std::vector<Command> table = {
    {"new", cmd_new, "create a git-hop project from a database"},
    {"status", cmd_status, "show the project, database, git and release state"},
    {"sync-package", cmd_sync_package,
     "generate the half_orm package again from the database"},
  };
  return table;
}

} // namespace cli
