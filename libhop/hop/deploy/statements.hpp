// The statements of a .sql script as the runner sends them: where each
// starts (for error messages) and whether it can run in a transaction
// block. The split and the classification are the sql module's.
#pragma once

#include "../patches.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hop::deploy {

struct Statement
{
  size_t offset = 0; // bytes into the script
  size_t length = 0;
  int line = 1;
  int column = 1;
  // Whether the statement was located by the parser; a script sent whole
  // names a line only where the server gives a position.
  bool located = true;
  bool transactional = true;
  // CREATE INDEX CONCURRENTLY: the index, to resume a killed build.
  std::optional<std::string> concurrent_index;
};

struct ParsedScript
{
  std::vector<Statement> statements;
  bool transactional = true; // every statement is
};

// The statements of `script` (a .sql script). Fatal, naming
// file:line:col, on a syntax error or a construct git-hop refuses.
ParsedScript parse_script(const patches::Script& script);

// 1-based (line, column) of byte `offset` of `text`; columns count
// characters, as PostgreSQL's positions do.
std::pair<int, int> line_column_at(std::string_view text, size_t offset);

// The byte offset, in `statement`, of the 1-based character `position` a
// server error gives.
size_t byte_of_position(std::string_view statement, int position);

} // namespace hop::deploy
