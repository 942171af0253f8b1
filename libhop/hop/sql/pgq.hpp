// Internal to hop::sql: libpg_query's results as RAII values. Only the
// sql module includes this header (it brings pg_query.h).
#pragma once

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace hop::sql::pgq {

// An error libpg_query reports: PostgreSQL's message and the 1-based
// character position in the input (0 when none).
struct Failure
{
  std::string message;
  int position = 0;
  bool from_scanner = false; // raised by the lexer or as a plain syntax error
};

struct ScanFree
{
  void operator()(PgQuery__ScanResult* r) const
  {
    pg_query__scan_result__free_unpacked(r, nullptr);
  }
};
using Tokens = std::unique_ptr<PgQuery__ScanResult, ScanFree>;

// libpg_query's parse tree as JSON (see tree.hpp for why not protobuf).
class Json {
public:
  Json() = default;
  explicit Json(char* text) : m_text(text) {}
  Json(Json&& other) noexcept : m_text(other.m_text) { other.m_text = nullptr; }
  Json& operator=(Json&& other) noexcept
  {
    std::swap(m_text, other.m_text);
    return *this;
  }
  ~Json();
  explicit operator bool() const { return m_text != nullptr; }
  std::string_view text() const { return m_text; }

private:
  char* m_text = nullptr;
};

// The tokens of `input` (NUL-terminated), comments included; on a lexer
// error, nullptr and `failure` set.
Tokens scan(const char* input, Failure* failure);
// The statements of `input` (NUL-terminated); on an error, empty and
// `failure` set.
Json parse(const char* input, Failure* failure);

} // namespace hop::sql::pgq
