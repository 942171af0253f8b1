#include "cli.hpp"

int cmd_apply(const cli::Args& args, hop::Session& session);
int cmd_hooks(const cli::Args& args, hop::Session& session);
int cmd_new(const cli::Args& args, hop::Session& session);
int cmd_prepare(const cli::Args& args, hop::Session& session);
int cmd_release(const cli::Args& args, hop::Session& session);
int cmd_restore(const cli::Args& args, hop::Session& session);
int cmd_status(const cli::Args& args, hop::Session& session);
int cmd_sync_package(const cli::Args& args, hop::Session& session);
int cmd_test(const cli::Args& args, hop::Session& session);
int cmd_undo(const cli::Args& args, hop::Session& session);
int cmd_upgrade(const cli::Args& args, hop::Session& session);

namespace cli {

const std::vector<Command>& commands()
{
  static const std::vector<Command> table = {
      {"apply", cmd_apply,
       "rebuild the database at the last release and apply this release",
       hop::Needs::devel},
      {"hooks", cmd_hooks, "install, remove, show or run git-hop's git hooks",
       hop::Needs::nothing},
      {"new", cmd_new, "create a git-hop project from a database",
       hop::Needs::nothing},
      {"prepare", cmd_prepare, "start a release on its branch hop_X.Y.Z",
       hop::Needs::devel},
      {"release", cmd_release, "replay, test, tag and record the next release",
       hop::Needs::devel},
      {"restore", cmd_restore,
       "put the database back at a release (production: from a backup)",
       hop::Needs::repository},
      {"status", cmd_status,
       "show the project, database, git and release state",
       hop::Needs::project},
      {"sync-package", cmd_sync_package,
       "generate the half_orm package again from the database",
       hop::Needs::project},
      {"test", cmd_test, "run the tests against a copy of the database",
       hop::Needs::project},
      {"undo", cmd_undo, "put the database back at the last release",
       hop::Needs::devel},
      {"upgrade", cmd_upgrade,
       "bring a production database to the last release, from its tags",
       hop::Needs::repository},
  };
  return table;
}

} // namespace cli
