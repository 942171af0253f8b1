#include <hop/error.hpp>
#include <hop/version.hpp>

#include <catch2/catch.hpp>

using hop::Level;
using hop::Version;

TEST_CASE("hop::Version::parse", "[version]")
{
  SECTION("accepts X.Y.Z")
  {
    auto v = Version::parse("1.20.3");
    REQUIRE(v);
    CHECK(v->major == 1);
    CHECK(v->minor == 20);
    CHECK(v->patch == 3);
    CHECK(v->str() == "1.20.3");
    CHECK(Version::parse("0.0.0")->str() == "0.0.0");
  }
  SECTION("rejects anything else")
  {
    for (const char* bad :
         {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "a.b.c",
          "1.2.3 ", " 1.2.3", "-1.2.3", "1..3", "1.2.", "v1.2.3", "1.2.3-rc1",
          "9999999999.0.0"}) {
      INFO(bad);
      CHECK_FALSE(Version::parse(bad));
    }
  }
  SECTION("parse_or_throw names what was wrong")
  {
    CHECK_THROWS_WITH(Version::parse_or_throw("1.x", "version"),
                      "invalid version '1.x'");
  }
}

TEST_CASE("hop::Version ordering", "[version]")
{
  CHECK(*Version::parse("0.0.9") < *Version::parse("0.0.10"));
  CHECK(*Version::parse("0.10.0") > *Version::parse("0.9.99"));
  CHECK(*Version::parse("2.0.0") > *Version::parse("1.99.99"));
  CHECK(*Version::parse("1.2.3") == Version{1, 2, 3});
}

TEST_CASE("hop::Version::next", "[version]")
{
  Version v{1, 2, 3};
  CHECK(v.next(Level::patch).str() == "1.2.4");
  CHECK(v.next(Level::minor).str() == "1.3.0");
  CHECK(v.next(Level::major).str() == "2.0.0");
}

TEST_CASE("hop::Version branches and folders", "[version]")
{
  Version v{0, 1, 2};
  CHECK(v.branch() == "hop_0.1.2");
  CHECK(v.patch_dir() == "Patches/0/1/2");
  CHECK(Version::from_branch("hop_0.1.2") == v);
  CHECK_FALSE(Version::from_branch("hop_main"));
  CHECK_FALSE(Version::from_branch("0.1.2"));
  CHECK_FALSE(Version::from_branch("hop_0.1"));
}

TEST_CASE("hop::parse_level", "[version]")
{
  CHECK(hop::parse_level("patch") == Level::patch);
  CHECK(hop::parse_level("minor") == Level::minor);
  CHECK(hop::parse_level("major") == Level::major);
  CHECK_FALSE(hop::parse_level("Patch"));
  CHECK_FALSE(hop::parse_level(""));
  CHECK(hop::level_name(Level::minor) == "minor");
}
