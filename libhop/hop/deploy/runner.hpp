// Running releases' scripts against a database (design §6.1 steps 5 and
// 6): the one code path that apply, undo, release, the hooks' checks, the
// template cache and upgrade all take.
//
// When every script of every step is transactional SQL, all the steps run
// in one transaction with their records (hop_script, hop_release), under
// SET lock_timeout; a lock timeout (55P03) or a deadlock (40P01) rolls the
// whole transaction back and retries it, with backoff and jitter, a
// bounded number of times. Otherwise each release commits on its own: an
// "upgrade in progress" row is committed first; transactional scripts run
// each in its own transaction with its record; a .py script runs as a
// child and is recorded when it succeeded; a script of statements that
// cannot run in a transaction block runs one statement at a time, each
// recorded as done; the release row and the removal of the in-progress
// row commit together. A run that finds such a row resumes after what is
// recorded.
#pragma once

#include "../connection.hpp"
#include "../meta.hpp"
#include "../patches.hpp"
#include "../project.hpp"
#include "../report.hpp"
#include "statements.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hop::db {
class Connection;
}

namespace hop::deploy {

// One release to apply.
struct Step
{
  const patches::Release* release = nullptr;
  // Recorded as hop_release.commit (nullopt for a release in preparation).
  std::optional<std::string> commit;
  // Where its .py scripts run (cwd, first on PYTHONPATH): the project's
  // work tree, or an export of the release's tag.
  std::filesystem::path code_root;
  // Its scripts already read by parse_release() (else run() reads them).
  const std::vector<ParsedScript>* parsed = nullptr;
};

struct Target
{
  db::Connection* conn = nullptr; // open, no transaction
  ConnectionSettings settings;    // for .py children
};

struct Options
{
  const Project* project = nullptr;
  Reporter* reporter = nullptr;
  // For the in-progress row of a release that cannot be one transaction.
  std::string client;
  std::string backup;
  std::optional<Version> target_version;
  // What the database already records of an interrupted upgrade.
  const meta::Record* resume = nullptr;
  // Messages of failures end with this detail line.
  std::string nothing_changed = "Nothing was changed: the database is as it "
                                "was before.";
};

struct ScriptRun
{
  std::string path;
  double ms = 0;
  bool resumed = false; // recorded by an earlier, interrupted run
};

struct StepRun
{
  Version version;
  std::vector<ScriptRun> scripts;
  double ms = 0;
  int attempts = 1;
};

// Whether `release` (its scripts read as `parsed`) can run in one
// transaction: only transactional SQL.
bool transactional(const patches::Release& release,
                   const std::vector<ParsedScript>& parsed);

// Run `steps` in order on `target`, recording each.
std::vector<StepRun> run(Target& target, const std::vector<Step>& steps,
                         const Options& options);

} // namespace hop::deploy
