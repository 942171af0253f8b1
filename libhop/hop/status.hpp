// git hop status: a read-only report of the project, its database, git and
// the releases in preparation, and the cross-check of tags, notes,
// hop_main, the database's rows and origin (deploy/check.hpp). Never
// writes anything, never asks the network. In production it also reads
// what upgrade and restore would work from (pending releases, backups,
// drift).
#pragma once

#include "deploy/check.hpp"
#include "deploy/upgrade.hpp"
#include "project.hpp"
#include "version.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hop {

struct StatusReport
{
  std::filesystem::path root;
  std::string package;
  bool devel = false;
  std::optional<Version> config_hop_version;

  struct Database
  {
    std::string name;
    std::string user;
    std::string host;
    std::string port;
    bool production = false;
    std::optional<std::string> connection_file;
    bool reachable = false;
    std::string error;
    bool has_meta = false;
    std::optional<Version> release;
  } database;

  struct Git
  {
    bool present = false;
    std::optional<std::string> branch; // nullopt: detached HEAD
    std::optional<std::string> head;   // nullopt: no commit yet
    bool clean = true;
    size_t changes = 0;
  } git;

  std::optional<Version> last_tag; // the last release (tag with its note)
  std::vector<Version> preparing;  // hop_X.Y.Z branches above last_tag
  // The release the database should be at on this branch: the branch's
  // release (applied) on hop_X.Y.Z, else the last release.
  std::optional<Version> expected_release;

  // Every inconsistency between tags, notes, hop_main, the database's rows
  // and origin (as last fetched), with the command that repairs it
  // (deploy::check()).
  std::vector<deploy::Problem> problems;

  // A production database: the releases `git hop upgrade` would replay,
  // an interrupted upgrade, the backups `git hop restore` can use, drift
  // from the baseline of its release, and its record against the tags and
  // notes (deploy::production_state()). nullopt in development, or when
  // the database or the repository cannot be read.
  std::optional<deploy::ProductionState> production;
  std::string production_error; // why `production` could not be read
};

class Session;

StatusReport collect_status(Session& session);
std::string render_status_text(const StatusReport& report);
std::string render_status_json(const StatusReport& report,
                               const std::string& git_hop_version);

} // namespace hop
