// Internal to hop::sql: cutting a script into statements the way psql
// does, over PostgreSQL's own tokens (libpg_query's lexer), one window of
// text at a time so that memory does not grow with the script.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hop::sql::detail {

// One statement's place in the script (byte offsets).
struct Cut
{
  size_t begin = 0; // start of its first token (comments excluded)
  size_t end = 0;   // end of its last token
  size_t stop = 0;  // just after its ';', or the end of the text
  bool has_semicolon = false;
  // Start of the first '\' token outside quotes: a psql meta-command.
  std::optional<size_t> backslash;
};

// The lexer failed (a quoted string, identifier or comment that never
// ends): `offset` is where the offending token starts.
struct LexError
{
  size_t offset = 0;
  std::string message;
};

// Byte offset, in `text`, of its 1-based character `position` (a position
// past the end gives text.size()).
size_t byte_at_char(std::string_view text, int position);

class Splitter {
public:
  // The window a scan starts with; it doubles while a single statement
  // does not fit.
  static constexpr size_t k_window = 64 * 1024;

  // Cut `text` from byte `start` (after a BOM).
  Splitter(std::string_view text, size_t start);

  // The next statement, nullopt at the end. Throws LexError once the
  // statements before the error have been returned.
  std::optional<Cut> next();

private:
  void refill();

  std::string_view m_text;
  size_t m_pos;
  size_t m_window = k_window;
  std::string m_buf;
  std::vector<Cut> m_queue;
  size_t m_next = 0;
  std::optional<LexError> m_error;
};

} // namespace hop::sql::detail
