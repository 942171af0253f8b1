// The statements of a release's .sql script as the deploy engine runs
// them: read by PostgreSQL's parser (the sql module) before any database
// is touched, so a syntax error or a refused construct names its line and
// changes nothing, and statements that cannot run in a transaction block
// are known in advance.
#pragma once

#include "../patches.hpp"
#include "../sql/script.hpp"

namespace hop::db {
class Connection;
}

#include <optional>
#include <string>
#include <vector>

namespace hop::deploy {

struct ParsedScript
{
  sql::Script script;
  // Whether the script runs inside a transaction block: every statement
  // can, and release.toml does not say 'transaction = false' for it.
  bool transactional = true;
};

// The statements of `script` (a .sql script). Fatal, naming
// file:line:col, on a syntax error or a construct git-hop refuses.
ParsedScript parse_script(const patches::Script& script);

// The statements of every script of `release` (an empty ParsedScript for
// a .py script), in order. The error of a script that does not parse ends
// with the detail line `nothing_changed` (when not empty).
std::vector<ParsedScript> parse_release(const patches::Release& release,
                                        const std::string& nothing_changed);

// One row of the lock report of a release (see sql::lock_report): what a
// run of statements locks, and how big the relation is in the database
// the report was made against.
struct LockRow
{
  std::string file_line; // "Patches/0/2/0/00_x.sql:3"
  std::string tag;       // "ALTER TABLE"
  size_t count = 1;      // statements of that kind in a row
  std::string relation;
  std::string level; // "ACCESS EXCLUSIVE"
  bool access_exclusive = false;
  bool rewrite = false;
  bool scan = false;
  std::string reason;
  std::optional<long long> rows;
  std::optional<long long> bytes;

  // Whether it takes ACCESS EXCLUSIVE on, or rewrites, a table of more
  // than `limit` rows.
  bool blocks(long long limit) const
  {
    return (access_exclusive || rewrite) && rows && *rows > limit;
  }
  // "Patches/...:3  ALTER TABLE  public.post  ACCESS EXCLUSIVE, rewrite
  //  (about 5000 rows, 360 kB): <reason>".
  std::string describe() const;
};

// The lock report of `release`'s .sql scripts against the database of
// `conn`.
std::vector<LockRow> lock_rows(const patches::Release& release,
                               const std::vector<ParsedScript>& parsed,
                               db::Connection& conn);

// The lock reports of `releases` (parsed[i]: the statements of
// releases[i]), one per release, with one catalog query for all.
std::vector<std::vector<LockRow>>
lock_rows(const std::vector<patches::Release>& releases,
          const std::vector<std::vector<ParsedScript>>& parsed,
          db::Connection& conn);

} // namespace hop::deploy
