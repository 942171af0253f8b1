// Production backups (design §6.1 step 4): `pg_dump -Fc` of a database
// into the project's Backups/ folder (git-ignored), written to a temporary
// name, fsync'd, renamed into place and the folder fsync'd, so that a
// backup that is listed is whole. Its name records what it holds:
//
//   Backups/<db>-<X.Y.Z>-<YYYYMMDDTHHMMSSZ>.dump   the database at X.Y.Z
//   Backups/<db>-untracked-<...>.dump             before 'upgrade --init'
#pragma once

#include "../connection.hpp"
#include "../version.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hop::deploy {

struct Backup
{
  std::filesystem::path path;
  std::string dbname;
  std::optional<Version> release; // nullopt: untracked
  std::string taken_at;           // "20261201T193000Z" (UTC)
  unsigned long long bytes = 0;
};

// The backups of database `dbname` in `dir`, oldest first.
std::vector<Backup> list_backups(const std::filesystem::path& dir,
                                 const std::string& dbname);

// Take a backup of `target` (a database at `release`) into `dir`.
Backup take_backup(const ConnectionSettings& target,
                   const std::filesystem::path& dir,
                   const std::optional<Version>& release);

// Remove a backup take_backup() just made (its directory entry flushed).
void remove_backup(const Backup& backup);

// Restore `backup` into the existing, empty database `into`.
void restore_backup(const Backup& backup, const ConnectionSettings& into);

// The file name of a backup (without its folder).
std::string backup_name(const std::string& dbname,
                        const std::optional<Version>& release,
                        const std::string& taken_at);
// Parse a file name made by backup_name() for `dbname`.
std::optional<Backup> parse_backup_name(const std::string& file,
                                        const std::string& dbname);

} // namespace hop::deploy
