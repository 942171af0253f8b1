// Production: git hop upgrade and git hop restore (design §6, §6.1).
//
// upgrade verifies everything first (the releases' notes against their
// tags' trees, the database's record against the notes, the database not
// ahead of or unknown to the repository, its live schema against the
// baseline of the release it records), then takes the database's lock,
// backs it up, and replays every pending release from its tag through the
// deploy engine. --dry-run stops after the verification and returns the
// plan.
//
// restore puts a production database back as a backup taken at a release
// holds it: into a scratch database, swapped in by rename after the
// current state was backed up; in development it rebuilds the database
// from the template of that release.
#pragma once

#include "../error.hpp"
#include "../meta.hpp"
#include "../version.hpp"
#include "backup.hpp"
#include "runner.hpp"

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hop {
class Session;
}

namespace hop::deploy {

struct UpgradeOptions
{
  std::optional<Version> to;
  bool dry_run = false;
  bool init = false;
  bool allow_drift = false;
  // Run statements that take ACCESS EXCLUSIVE on, or rewrite, a table of
  // more than [deploy] max_locked_rows rows.
  bool allow_blocking = false;
  std::optional<long long> lock_wait_ms; // else [deploy] lock_wait
};

struct PlannedScript
{
  std::string path;
  std::string sha256;
  bool python = false;
  bool transactional = true;
  // The script's text, shared with UpgradeResult::sources (never copied:
  // a script may be tens of megabytes).
  Text content;
};

struct PlannedRelease
{
  Version version;
  std::string commit;
  std::string message;
  std::vector<PlannedScript> scripts;
  // The locks its statements take, sized in the database being upgraded.
  std::vector<LockRow> locks;
};

struct UpgradePlan
{
  std::string database;
  std::optional<Version> from; // nullopt: not tracked yet (--init)
  std::optional<Version> to;   // the release it ends at
  // --init: "empty" (the baseline is loaded) or "adopt" (the database
  // equals the baseline and only gets the tracking schema).
  std::string init;
  std::optional<meta::UpgradeRow> interrupted; // resumed
  std::vector<std::string> drift;              // allowed with --allow-drift
  std::vector<LockRow> blocking;               // allowed with --allow-blocking
  // Why the upgrade would be refused (drift, blocking statements, without
  // their --allow-* option): a dry run returns them with the plan, an
  // upgrade throws the first.
  std::vector<Error> refusals;
  std::vector<PlannedRelease> releases;
  bool one_transaction = true;
  std::vector<std::string> warnings;
};

struct UpgradeResult
{
  UpgradePlan plan;
  // The releases' scripts, which the plan's PlannedScript::content views.
  std::shared_ptr<const std::vector<patches::Release>> sources;
  std::optional<Backup> backup;
  std::vector<StepRun> runs;
  double ms = 0;
  bool already = false; // nothing to do
};

UpgradeResult upgrade(Session& session, const UpgradeOptions& options);

// The plan (a dry run) and the result of an upgrade, as text or JSON,
// written to `os` as they are rendered: a script's text is never held
// twice, and a big one is given back as it is written
// (Text::release_before).
void write_plan_text(std::ostream& os, const UpgradePlan& plan);
void write_plan_json(std::ostream& os, const UpgradePlan& plan,
                     const std::string& git_hop_version);
void write_result_json(std::ostream& os, const UpgradeResult& result,
                       const std::string& git_hop_version);

struct RestoreResult
{
  Version version;
  std::optional<Version> from;
  bool development = false;
  std::optional<Backup> used;  // production: the backup restored
  std::optional<Backup> saved; // production: the state before, backed up
};

RestoreResult restore(Session& session, const Version& version);

// What production status shows: read-only.
struct ProductionState
{
  std::optional<Version> release;
  bool tracked = false;
  std::optional<meta::UpgradeRow> interrupted;
  std::vector<Version> pending;
  std::vector<Backup> backups;
  std::vector<std::string> problems; // the record against the repository
  std::vector<std::string> drift;
  bool database_missing = false; // an interrupted restore
};

ProductionState production_state(Session& session);

// The folder of the project's backups.
std::filesystem::path backups_dir(Session& session);

} // namespace hop::deploy
