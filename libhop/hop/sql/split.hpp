// Internal to hop::sql: where statements may end in a window of a script,
// from PostgreSQL's own lexer (libpg_query). The parser has the last word:
// these are only the places a window may be cut at.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hop::sql::detail {

// The window a script is read with; it doubles while a single statement
// does not fit.
constexpr size_t k_window = 32 * 1024;

// Byte offset, in `text`, of its 1-based character `position` (a position
// past the end gives text.size()).
size_t byte_at_char(std::string_view text, int position);

struct Cuts
{
  // Offsets just after each ';' that may end a statement, ascending.
  std::vector<size_t> ends;
  // Where a literal or comment starts that does not end in the window (it
  // may go on after it, or never end): the ends are those before it.
  std::optional<size_t> unterminated;
};

// libpg_query's scanner split (cheap): a ';' outside parentheses after a
// keyword. It also cuts inside a BEGIN ATOMIC body, which the parser then
// finds incomplete.
Cuts scanner_cuts(const std::string& window);

// psql's rule over the tokens (dearer): a ';' outside parentheses and
// outside the BEGIN ... END of a CREATE FUNCTION/PROCEDURE.
Cuts psql_cuts(const std::string& window);

// Offset of the first token of `text`, after blanks and comments;
// text.size() when there is none.
size_t first_token(std::string_view text);
// Offset just after the last token of `text`, before blanks and comments.
// A -- comment can only be last before a newline, or at the end of the
// script (`at_end`): only then is the lexer asked.
size_t last_token_end(std::string_view text, bool at_end);

} // namespace hop::sql::detail
