#include "cli.hpp"

int cmd_apply(const cli::Args& args);
int cmd_hooks(const cli::Args& args);
int cmd_new(const cli::Args& args);
int cmd_prepare(const cli::Args& args);
int cmd_release(const cli::Args& args);
int cmd_status(const cli::Args& args);
int cmd_sync_package(const cli::Args& args);
int cmd_test(const cli::Args& args);
int cmd_undo(const cli::Args& args);

namespace cli {

const std::vector<Command>& commands()
{
  static const std::vector<Command> table = {
      {"apply", cmd_apply,
       "rebuild the database at the last release and apply this release"},
      {"hooks", cmd_hooks, "install, remove, show or run git-hop's git hooks"},
      {"new", cmd_new, "create a git-hop project from a database"},
      {"prepare", cmd_prepare, "start a release on its branch hop_X.Y.Z"},
      {"release", cmd_release, "replay, test, tag and record the next release"},
      {"status", cmd_status,
       "show the project, database, git and release state"},
      {"sync-package", cmd_sync_package,
       "generate the half_orm package again from the database"},
      {"test", cmd_test, "run the tests against a copy of the database"},
      {"undo", cmd_undo, "put the database back at the last release"},
  };
  return table;
}

} // namespace cli
