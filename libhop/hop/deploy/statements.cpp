#include "statements.hpp"

namespace hop::deploy {

ParsedScript parse_script(const patches::Script& script)
{
  // Until scripts are read by PostgreSQL's parser (the sql module), a
  // script is one statement sent whole.
  ParsedScript p;
  Statement s;
  s.length = script.content.size();
  s.located = false;
  p.statements.push_back(s);
  return p;
}

std::pair<int, int> line_column_at(std::string_view text, size_t offset)
{
  int line = 1;
  int col = 1;
  for (size_t i = 0; i < text.size() && i < offset; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) {
      continue; // a continuation byte: same character
    }
    if (c == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

size_t byte_of_position(std::string_view statement, int position)
{
  size_t i = 0;
  for (int chars = 1; i < statement.size() && chars < position; ++chars) {
    ++i; // the first byte of a character, then its continuation bytes
    while (i < statement.size() &&
           (static_cast<unsigned char>(statement[i]) & 0xC0) == 0x80) {
      ++i;
    }
  }
  return i;
}

} // namespace hop::deploy
