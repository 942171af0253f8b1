// Internal to hop::sql: what one parsed statement is (tag, transaction
// block, locks), from its libpg_query tree.
#pragma once

#include "script.hpp"
#include "tree.hpp"

#include <string>
#include <vector>

namespace hop::sql::detail {

// A construct git-hop refuses to run, with what to do instead.
struct Refusal
{
  std::string message;
  std::vector<std::string> details;
  std::vector<std::string> hints;
};

// Classify one top-level statement (the Node of a RawStmt). Throws
// Refusal.
Kind classify(Value stmt);

// The refusal of a psql meta-command whose backslash starts `command`.
Refusal meta_command(std::string_view command);

} // namespace hop::sql::detail
