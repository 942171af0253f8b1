// Internal to hop::sql: libpg_query's results as RAII values. Only the
// sql module includes this header (it brings pg_query.h).
#pragma once

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <memory>
#include <optional>
#include <string>

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

struct ParseFree
{
  void operator()(PgQuery__ParseResult* r) const
  {
    pg_query__parse_result__free_unpacked(r, nullptr);
  }
};
using Tree = std::unique_ptr<PgQuery__ParseResult, ParseFree>;

// The tokens of `input` (NUL-terminated), comments included; on a lexer
// error, nullptr and `failure` set.
Tokens scan(const char* input, Failure* failure);
// The statements of `input` (NUL-terminated); on an error, nullptr and
// `failure` set.
Tree parse(const char* input, Failure* failure);

} // namespace hop::sql::pgq
