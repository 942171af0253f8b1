#include "split.hpp"

#include "../error.hpp"
#include "pgq.hpp"

#include <algorithm>

namespace hop::sql::detail {

namespace {

bool is_comment(const PgQuery__ScanToken& t)
{
  return t.token == PG_QUERY__TOKEN__SQL_COMMENT ||
         t.token == PG_QUERY__TOKEN__C_COMMENT;
}

// psql's rule for the end of a statement (src/fe_utils/psqlscan.l,
// PostgreSQL 15): a ';' ends it unless
// inside parentheses, or inside the BEGIN ... END body of a CREATE [OR
// REPLACE] FUNCTION/PROCEDURE (SQL-standard bodies, BEGIN ATOMIC), where
// BEGIN and CASE open and END closes. "Words" are keywords and unquoted
// identifiers, as psql sees them.
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

Splitter::Splitter(std::string_view text, size_t start)
    : m_text(text), m_pos(start)
{
}

std::optional<Cut> Splitter::next()
{
  while (m_next == m_queue.size()) {
    if (m_error) {
      LexError e = std::move(*m_error);
      m_error.reset();
      throw e;
    }
    if (m_pos >= m_text.size()) {
      return std::nullopt;
    }
    m_queue.clear();
    m_next = 0;
    refill();
  }
  return m_queue[m_next++];
}

// Scan one window from m_pos and queue the statements that end in it.
// Every window starts where a statement ends, so the lexer and psql's rule
// start afresh; a window cut inside a token can only spoil its last
// statement, which is left for the next window. A statement larger than
// the window doubles the window.
void Splitter::refill()
{
  for (;;) {
    size_t avail = m_text.size() - m_pos;
    size_t len = std::min(avail, m_window);
    bool final = len == avail;
    m_buf.assign(m_text.substr(m_pos, len));

    pgq::Failure failure;
    pgq::Tokens tokens = pgq::scan(m_buf.c_str(), &failure);
    std::optional<LexError> error;
    if (!tokens) {
      // Cut inside a literal or comment, or one that never ends: the
      // tokens before it are good.
      size_t at = byte_at_char(m_buf, failure.position);
      if (at == 0 || at >= len) {
        if (final) {
          m_error = LexError{m_pos + std::min(at, len), failure.message};
          m_pos = m_text.size();
          return;
        }
        m_window *= 2;
        continue;
      }
      error = LexError{m_pos + at, failure.message};
      m_buf.resize(at);
      pgq::Failure again;
      tokens = pgq::scan(m_buf.c_str(), &again);
      if (!tokens) {
        HOP_BUG("the tokens before a lexer error do not scan: " +
                again.message);
      }
    }

    // Offsets in the window; npos: none yet.
    constexpr size_t none = std::string::npos;
    auto absolute = [this](size_t at) {
      return at == none ? std::optional<size_t>() : m_pos + at;
    };
    Psql psql;
    size_t first = none, backslash = none, last_end = 0;
    size_t done = 0; // just after the last ';' that ended a statement
    bool cut = false;
    for (size_t i = 0; i < tokens->n_tokens; ++i) {
      const PgQuery__ScanToken& t = *tokens->tokens[i];
      if (is_comment(t)) {
        continue;
      }
      auto start = static_cast<size_t>(t.start);
      auto end = static_cast<size_t>(t.end);
      if (psql.feed(t, m_buf)) {
        if (first != none) {
          m_queue.push_back({m_pos + first, m_pos + last_end, m_pos + end, true,
                             absolute(backslash)});
        }
        psql = Psql();
        first = backslash = none;
        done = end;
        cut = true;
        continue;
      }
      if (first == none) {
        first = start;
      }
      if (t.token == PG_QUERY__TOKEN__ASCII_92 && backslash == none) {
        backslash = start;
      }
      last_end = end;
    }

    if (error) {
      if (!final && cut) {
        m_pos += done;
        m_window = k_window;
        return;
      }
      if (!final) {
        m_queue.clear();
        m_window *= 2;
        continue;
      }
      // The last statement holds the lexer error; a psql meta-command in
      // it is the better message.
      if (first != none && backslash != none) {
        m_queue.push_back({m_pos + first, m_pos + last_end, error->offset,
                           false, absolute(backslash)});
      }
      m_error = std::move(error);
      m_pos = m_text.size();
      return;
    }
    if (final) {
      if (first != none) {
        m_queue.push_back({m_pos + first, m_pos + last_end, m_text.size(),
                           false, absolute(backslash)});
      }
      m_pos = m_text.size();
      return;
    }
    if (!cut) {
      m_window *= 2;
      continue;
    }
    m_pos += done;
    m_window = k_window;
    return;
  }
}

} // namespace hop::sql::detail
