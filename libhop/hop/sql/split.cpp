#include "split.hpp"

#include "../error.hpp"
#include "pgq.hpp"

#include <cstring>

namespace hop::sql::detail {

namespace {

bool is_comment(const PgQuery__ScanToken& t)
{
  return t.token == PG_QUERY__TOKEN__SQL_COMMENT ||
         t.token == PG_QUERY__TOKEN__C_COMMENT;
}

// psql's rule for the end of a statement (src/fe_utils/psqlscan.l,
// PostgreSQL 15): a ';' ends it unless inside parentheses, or inside the
// BEGIN ... END body of a CREATE [OR REPLACE] FUNCTION/PROCEDURE
// (SQL-standard bodies, BEGIN ATOMIC), where BEGIN and CASE open and END
// closes. "Words" are keywords and unquoted identifiers, as psql sees them.
class Psql {
public:
  // Feed the next token (not a comment); true when it ends the statement.
  bool feed(const PgQuery__ScanToken& t, std::string_view text)
  {
    switch (t.token) {
    case PG_QUERY__TOKEN__ASCII_59: // ;
      return m_paren == 0 && m_begin == 0;
    case PG_QUERY__TOKEN__ASCII_40: // (
      ++m_paren;
      return false;
    case PG_QUERY__TOKEN__ASCII_41: // )
      if (m_paren > 0) {
        --m_paren;
      }
      return false;
    default:
      break;
    }
    bool word = t.keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD ||
                (t.token == PG_QUERY__TOKEN__IDENT &&
                 text[static_cast<size_t>(t.start)] != '"');
    if (!word) {
      return false;
    }
    if (m_words < 4) {
      char letter = 0;
      switch (t.token) {
      case PG_QUERY__TOKEN__CREATE:
        letter = 'c';
        break;
      case PG_QUERY__TOKEN__FUNCTION:
        letter = 'f';
        break;
      case PG_QUERY__TOKEN__PROCEDURE:
        letter = 'p';
        break;
      case PG_QUERY__TOKEN__OR:
        letter = 'o';
        break;
      case PG_QUERY__TOKEN__REPLACE:
        letter = 'r';
        break;
      default:
        break;
      }
      m_first[m_words] = letter;
    }
    ++m_words;
    bool routine =
        m_first[0] == 'c' && (m_first[1] == 'f' || m_first[1] == 'p' ||
                              (m_first[1] == 'o' && m_first[2] == 'r' &&
                               (m_first[3] == 'f' || m_first[3] == 'p')));
    if (routine && m_paren == 0) {
      if (t.token == PG_QUERY__TOKEN__BEGIN_P) {
        ++m_begin;
      } else if (t.token == PG_QUERY__TOKEN__CASE) {
        if (m_begin >= 1) {
          ++m_begin;
        }
      } else if (t.token == PG_QUERY__TOKEN__END_P) {
        if (m_begin > 0) {
          --m_begin;
        }
      }
    }
    return false;
  }

private:
  int m_paren = 0;
  int m_begin = 0;
  int m_words = 0;
  char m_first[4] = {0, 0, 0, 0};
};

// The tokens of `window`, or of its part before a lexer error (whose
// offset goes to `unterminated`).
pgq::Tokens tokens_of(const std::string& window,
                      std::optional<size_t>* unterminated)
{
  pgq::Failure failure;
  pgq::Tokens tokens = pgq::scan(window.c_str(), &failure);
  if (tokens) {
    return tokens;
  }
  size_t at = byte_at_char(window, failure.position);
  *unterminated = at;
  std::string before = window.substr(0, at);
  tokens = pgq::scan(before.c_str(), &failure);
  if (!tokens) {
    HOP_BUG("the tokens before a lexer error do not scan: " + failure.message);
  }
  return tokens;
}

} // namespace

size_t byte_at_char(std::string_view text, int position)
{
  int chars = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      continue;
    }
    if (chars == position) {
      return i;
    }
    ++chars;
  }
  return text.size();
}

Cuts scanner_cuts(const std::string& window)
{
  Cuts cuts;
  PgQuerySplitResult r = pg_query_split_with_scanner(window.c_str());
  if (r.error) {
    size_t at = byte_at_char(window, r.error->cursorpos);
    pg_query_free_split_result(r);
    cuts.unterminated = at;
    std::string before = window.substr(0, at);
    r = pg_query_split_with_scanner(before.c_str());
    if (r.error) {
      pg_query_free_split_result(r);
      HOP_BUG("the text before a lexer error does not split");
    }
  }
  for (int i = 0; i < r.n_stmts; ++i) {
    auto end = static_cast<size_t>(r.stmts[i]->stmt_location) +
               static_cast<size_t>(r.stmts[i]->stmt_len);
    if (end < window.size() && window[end] == ';') {
      cuts.ends.push_back(end + 1);
    }
  }
  pg_query_free_split_result(r);
  return cuts;
}

Cuts psql_cuts(const std::string& window)
{
  Cuts cuts;
  pgq::Tokens tokens = tokens_of(window, &cuts.unterminated);
  Psql psql;
  for (size_t i = 0; i < tokens->n_tokens; ++i) {
    const PgQuery__ScanToken& t = *tokens->tokens[i];
    if (!is_comment(t) && psql.feed(t, window)) {
      cuts.ends.push_back(static_cast<size_t>(t.end));
      psql = Psql();
    }
  }
  return cuts;
}

size_t first_token(std::string_view text)
{
  size_t i = 0;
  while (i < text.size() && text[i] != '\0' &&
         std::strchr(" \t\n\r\f\v", text[i])) {
    ++i;
  }
  if (text.compare(i, 2, "--") != 0 && text.compare(i, 2, "/*") != 0) {
    return i;
  }
  // A comment first: the lexer knows where it ends.
  std::optional<size_t> unterminated;
  pgq::Tokens tokens = tokens_of(std::string(text), &unterminated);
  for (size_t k = 0; k < tokens->n_tokens; ++k) {
    if (!is_comment(*tokens->tokens[k])) {
      return static_cast<size_t>(tokens->tokens[k]->start);
    }
  }
  return unterminated.value_or(text.size());
}

size_t last_token_end(std::string_view text, bool at_end)
{
  size_t end = text.size();
  while (end > 0 && text[end - 1] != '\0' &&
         std::strchr(" \t\n\r\f\v", text[end - 1])) {
    --end;
  }
  bool newline_after = text.find('\n', end) != std::string_view::npos;
  size_t line = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
  std::string_view last =
      text.substr(0, end).substr(line == std::string_view::npos ? 0 : line);
  bool line_comment =
      (newline_after || at_end) && last.find("--") != std::string_view::npos;
  if (!line_comment && !text.substr(0, end).ends_with("*/")) {
    return end;
  }
  // Maybe a comment last: the lexer knows.
  std::optional<size_t> unterminated;
  pgq::Tokens tokens = tokens_of(std::string(text), &unterminated);
  for (size_t k = tokens->n_tokens; k > 0; --k) {
    if (!is_comment(*tokens->tokens[k - 1])) {
      return static_cast<size_t>(tokens->tokens[k - 1]->end);
    }
  }
  return 0;
}

} // namespace hop::sql::detail
