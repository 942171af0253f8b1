#include <hop/json.hpp>

#include <catch2/catch.hpp>

using hop::json::quote;

TEST_CASE("hop::json::quote", "[json]")
{
  CHECK(quote("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
  CHECK(quote("\x1f\r") == "\"\\u001f\\r\"");
  CHECK(quote("") == "\"\"");
}

TEST_CASE("hop::json::quote keeps well-formed UTF-8", "[json]")
{
  CHECK(quote("é") == "\"é\"");
  CHECK(quote("/tmp/caf\xc3\xa9") == "\"/tmp/caf\xc3\xa9\"");
  CHECK(quote("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\""); // 4 bytes
  CHECK(quote("\xef\xbf\xbd") == "\"\xef\xbf\xbd\"");         // a real U+FFFD
  CHECK(quote("\xf4\x8f\xbf\xbf") == "\"\xf4\x8f\xbf\xbf\""); // U+10FFFF
}

// One \ufffd per ill-formed sequence as libunistring's u8_mbtouc delimits
// it: like Python's bytes.decode("utf-8", "replace") for stray bytes,
// truncated characters and overlong forms; one for a whole encoded
// surrogate or code point past U+10FFFF (Python: one per byte).
TEST_CASE("hop::json::quote replaces ill-formed UTF-8 with \\ufffd", "[json]")
{
  SECTION("a Latin-1 path")
  {
    CHECK(quote("/tmp/caf\xe9") == "\"/tmp/caf\\ufffd\"");
  }
  SECTION("bytes that never start a character")
  {
    CHECK(quote("a\xff") == "\"a\\ufffd\"");
    CHECK(quote("\x80x") == "\"\\ufffdx\"");
  }
  SECTION("a character cut short, at the end or in the middle")
  {
    CHECK(quote("\xe2\x82") == "\"\\ufffd\"");
    CHECK(quote("\xe2\x82"
                "a") == "\"\\ufffda\"");
  }
  SECTION("overlong forms, surrogates and code points past U+10FFFF")
  {
    CHECK(quote("\xc0\xaf") == "\"\\ufffd\\ufffd\"");
    CHECK(quote("\xed\xa0\x80") == "\"\\ufffd\"");
    CHECK(quote("\xf4\x90\x80\x80") == "\"\\ufffd\"");
    CHECK(quote("\xed\xa0\x80z") == "\"\\ufffdz\"");
  }
  SECTION("the output is always valid UTF-8 and ASCII-escaped around it")
  {
    CHECK(quote("\"\xff\n") == "\"\\\"\\ufffd\\n\"");
  }
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

TEST_CASE("hop::json::Writer quotes keys and values alike", "[json]")
{
  hop::json::Writer w;
  w.begin_object().key("p\xff").value("/x\xe9").end_object();
  CHECK(w.str() == "{\n  \"p\\ufffd\": \"/x\\ufffd\"\n}");
}
