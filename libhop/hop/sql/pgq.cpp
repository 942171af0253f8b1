#include "pgq.hpp"

#include "../error.hpp"

#include <cstring>

namespace hop::sql::pgq {

namespace {

void fill(Failure* failure, const PgQueryError* e)
{
  failure->message = e->message ? e->message : "unknown parser error";
  failure->position = e->cursorpos;
  failure->from_scanner =
      e->filename && std::strcmp(e->filename, "scan.l") == 0;
}

} // namespace

Tokens scan(const char* input, Failure* failure)
{
  PgQueryScanResult r = pg_query_scan(input);
  Tokens tokens;
  if (r.error) {
    fill(failure, r.error);
  } else {
    tokens.reset(pg_query__scan_result__unpack(
        nullptr, r.pbuf.len, reinterpret_cast<const uint8_t*>(r.pbuf.data)));
    if (!tokens) {
      HOP_BUG("cannot unpack libpg_query's tokens");
    }
  }
  pg_query_free_scan_result(r);
  return tokens;
}

Json::~Json()
{
  if (m_text) {
    PgQueryParseResult r{m_text, nullptr, nullptr};
    pg_query_free_parse_result(r);
  }
}

Json parse(const char* input, Failure* failure)
{
  PgQueryParseResult r = pg_query_parse(input);
  Json json;
  if (r.error) {
    fill(failure, r.error);
    pg_query_free_parse_result(r);
    return json;
  }
  json = Json(r.parse_tree);
  r.parse_tree = nullptr;
  pg_query_free_parse_result(r);
  return json;
}

} // namespace hop::sql::pgq
