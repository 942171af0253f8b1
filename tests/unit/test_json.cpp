#include <hop/json.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::json::quote", "[json]")
{
  CHECK(hop::json::quote("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
  CHECK(hop::json::quote("é") == "\"é\"");
}

TEST_CASE("hop::json::Writer", "[json]")
{
  hop::json::Writer w;
  w.begin_object();
  w.key("a").value(1);
  w.key("b").begin_array().value("x").value(true).null().end_array();
  w.key("c").begin_object().end_object();
  w.key("d").begin_array().end_array();
  w.end_object();
  CHECK(w.str() == "{\n  \"a\": 1,\n  \"b\": [\n    \"x\",\n    true,\n    "
                   "null\n  ],\n  \"c\": {},\n  \"d\": []\n}");
}
