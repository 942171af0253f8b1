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

Tree parse(const char* input, Failure* failure)
{
  PgQueryProtobufParseResult r = pg_query_parse_protobuf(input);
  Tree tree;
  if (r.error) {
    fill(failure, r.error);
  } else {
    tree.reset(pg_query__parse_result__unpack(
        nullptr, r.parse_tree.len,
        reinterpret_cast<const uint8_t*>(r.parse_tree.data)));
    if (!tree) {
      HOP_BUG("cannot unpack libpg_query's parse tree");
    }
  }
  pg_query_free_protobuf_parse_result(r);
  return tree;
}

} // namespace hop::sql::pgq
