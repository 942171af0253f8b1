#include <hop/util/string.hpp>

#include <catch2/catch.hpp>

#include <string>

using hop::util::edit_distance;
using hop::util::trim;

TEST_CASE("hop::util::edit_distance", "[util]")
{
  SECTION("equal strings are at distance 0")
  {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("status", "status") == 0);
  }
  SECTION("from or to the empty string: the length")
  {
    CHECK(edit_distance("", "apply") == 5);
    CHECK(edit_distance("apply", "") == 5);
  }
  SECTION("one insertion, deletion or substitution")
  {
    CHECK(edit_distance("statu", "status") == 1);
    CHECK(edit_distance("statuss", "status") == 1);
    CHECK(edit_distance("stotus", "status") == 1);
  }
  SECTION("a transposition costs two (Levenshtein, not Damerau)")
  {
    CHECK(edit_distance("stauts", "status") == 2);
  }
  SECTION("classic examples, symmetric")
  {
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("sitting", "kitten") == 3);
    CHECK(edit_distance("flaw", "lawn") == 2);
    CHECK(edit_distance("prepare", "release") == 4);
  }
  SECTION("bytes, not characters")
  {
    CHECK(edit_distance("\xc3\xa9", "e") == 2); // U+00E9 is two bytes
  }
  SECTION("length differences bound it from below")
  {
    std::string a(40, 'x');
    std::string b(10, 'x');
    CHECK(edit_distance(a, b) == 30);
  }
}

TEST_CASE("hop::util::trim", "[util]")
{
  CHECK(trim("") == "");
  CHECK(trim(" \t\r ") == "");
  CHECK(trim("  name = blog\r") == "name = blog");
  CHECK(trim("a b") == "a b");
  // Only spaces, tabs and CRs: a newline stays.
  CHECK(trim("\nx\n") == "\nx\n");
}
