#include <hop/error.hpp>
#include <hop/notes.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::notes::render and parse", "[notes]")
{
  hop::notes::Note n;
  n.version = {0, 2, 0};
  n.previous = hop::Version{0, 1, 0};
  n.message = "Comments \"quoted\"\nand a new line";
  n.git_hop_version = "0.2.0";
  n.released_at = "2026-12-01T10:00:00Z";
  n.schema_sha256 = std::string(64, 'a');
  n.metadata_sha256 = std::string(64, 'b');
  n.scripts = {{"Patches/0/2/0/00_a.sql", std::string(64, 'c')},
               {"Patches/0/2/0/10_b.py", std::string(64, 'd')}};
  SECTION("a note without tests")
  {
    auto back = hop::notes::parse(hop::notes::render(n), "the note");
    CHECK(back.version == n.version);
    CHECK(back.previous == n.previous);
    CHECK(back.message == n.message);
    CHECK(back.released_at == n.released_at);
    CHECK(back.schema_sha256 == n.schema_sha256);
    REQUIRE(back.scripts.size() == 2);
    CHECK(back.scripts[1].path == "Patches/0/2/0/10_b.py");
    CHECK(back.scripts[1].sha256 == std::string(64, 'd'));
    CHECK_FALSE(back.tests);
  }
  SECTION("a note with tests")
  {
    n.tests = hop::notes::Tests{{"python3", "-m", "pytest"}, 3, 1, 0, 0.5};
    auto back = hop::notes::parse(hop::notes::render(n), "the note");
    REQUIRE(back.tests);
    CHECK(back.tests->command ==
          std::vector<std::string>{"python3", "-m", "pytest"});
    CHECK(back.tests->passed == 3);
    CHECK(back.tests->failed == 1);
    CHECK(back.tests->seconds == Approx(0.5));
  }
}

TEST_CASE("hop::notes::parse refuses broken notes", "[notes]")
{
  CHECK_THROWS_WITH(hop::notes::parse("version = ", "the note of 1.0.0"),
                    "the note of 1.0.0 is not valid TOML");
  CHECK_THROWS_WITH(hop::notes::parse("message = 'x'\n", "the note of 1.0.0"),
                    "the note of 1.0.0 has no 'version'");
  CHECK_THROWS_WITH(hop::notes::parse("version = '1.0'\n", "the note of 1.0"),
                    "the note of 1.0 names an invalid version '1.0'");
  CHECK_THROWS_WITH(hop::notes::parse("version = '1.0.0'\n[[scripts]]\n"
                                      "path = 'x'\n",
                                      "the note"),
                    "the note has a [[scripts]] entry without path or sha256");
}
