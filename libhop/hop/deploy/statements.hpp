// The statements of a release's .sql script as the deploy engine runs
// them: read by PostgreSQL's parser (the sql module) before any database
// is touched, so a syntax error or a refused construct names its line and
// changes nothing, and statements that cannot run in a transaction block
// are known in advance.
#pragma once

#include "../patches.hpp"
#include "../sql/script.hpp"

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

} // namespace hop::deploy
