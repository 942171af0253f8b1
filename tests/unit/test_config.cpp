#include <hop/config.hpp>
#include <hop/error.hpp>

#include <catch2/catch.hpp>

using hop::Config;
using hop::parse_config;

TEST_CASE("hop::parse_config reads every key", "[config]")
{
  Config c = parse_config(R"([project]
name = "blog"
hop_version = "0.1.0"
devel = true

[python]
package = false
interpreter = "/usr/bin/python3"

[test]
command = ["pytest", "-x"]

[hooks]
pre_commit = false
pre_push = true
)",
                          ".hop/config");
  CHECK(c.project.name == "blog");
  CHECK(c.project.hop_version->str() == "0.1.0");
  CHECK(c.project.devel);
  CHECK_FALSE(c.python.package);
  CHECK(c.python.interpreter == "/usr/bin/python3");
  CHECK(c.test.command == std::vector<std::string>{"pytest", "-x"});
  CHECK_FALSE(c.hooks.pre_commit);
  CHECK(c.hooks.pre_push);
  CHECK(c.warnings.empty());
}

TEST_CASE("hop::parse_config defaults", "[config]")
{
  Config c = parse_config("[project]\nname = \"blog\"\n", "f");
  CHECK_FALSE(c.project.devel);
  CHECK_FALSE(c.project.hop_version);
  CHECK(c.python.package);
  CHECK_FALSE(c.python.interpreter);
  CHECK_FALSE(c.test.command);
  CHECK(c.hooks.pre_commit);
  CHECK(c.hooks.pre_push);
}

TEST_CASE("hop::parse_config unknown keys are warnings", "[config]")
{
  Config c = parse_config(
      "[project]\nname = \"blog\"\ncolour = 1\n\n[extra]\nx = 1\n", "f");
  REQUIRE(c.warnings.size() == 2);
  CHECK(c.warnings[0] == "f:3:1: unknown key 'project.colour'");
  CHECK(c.warnings[1].find("unknown key 'extra'") != std::string::npos);
}

TEST_CASE("hop::parse_config errors carry file:line:col", "[config]")
{
  SECTION("wrong type")
  {
    CHECK_THROWS_WITH(
        parse_config("[project]\nname = \"blog\"\ndevel = \"yes\"\n",
                     ".hop/config"),
        ".hop/config:3:9: 'project.devel' must be a boolean (true or false)");
  }
  SECTION("bad version")
  {
    CHECK_THROWS_WITH(
        parse_config("[project]\nname = \"b\"\nhop_version = \"1.0\"\n", "f"),
        "f:3:15: 'project.hop_version' = '1.0' is not a version X.Y.Z");
  }
  SECTION("bad array item")
  {
    CHECK_THROWS_WITH(
        parse_config("[project]\nname = \"b\"\n[test]\ncommand = [\"a\", 2]\n",
                     "f"),
        "f:4:17: 'test.command' must be a non-empty array of strings");
  }
  SECTION("syntax error")
  {
    try {
      parse_config("[project\nname = 1\n", "f");
      FAIL("no error");
    } catch (const hop::Error& e) {
      CHECK(std::string(e.what()).rfind("f:1:", 0) == 0);
      CHECK(e.exit_code() == 128);
    }
  }
  SECTION("missing name")
  {
    CHECK_THROWS_WITH(parse_config("[project]\ndevel = true\n", "f"),
                      "f: missing key 'project.name'");
  }
  SECTION("invalid package name")
  {
    CHECK_THROWS_WITH(parse_config("[project]\nname = \"class\"\n", "f"),
                      Catch::StartsWith("f:2:8: 'project.name' = 'class'"));
  }
}

TEST_CASE("hop::render_config round-trips", "[config]")
{
  Config c;
  c.project.name = "shop";
  c.project.hop_version = hop::Version{0, 1, 0};
  c.project.devel = true;
  c.hooks.pre_push = false;
  c.test.command = std::vector<std::string>{"python3", "-m", "pytest"};
  std::string text = hop::render_config(c);
  Config back = parse_config(text, "f");
  CHECK(back.project.name == "shop");
  CHECK(back.project.hop_version == c.project.hop_version);
  CHECK(back.project.devel);
  CHECK_FALSE(back.hooks.pre_push);
  CHECK(back.test.command == c.test.command);
  CHECK(back.warnings.empty());
  CHECK(hop::render_config(back) == text);
}

TEST_CASE("hop::check_hop_version", "[config]")
{
  Config c;
  c.project.hop_version = hop::Version{0, 2, 0};
  CHECK_THROWS_WITH(hop::check_hop_version(c, {0, 1, 9}, "f"),
                    "this project needs git-hop 0.2.0 or newer");
  CHECK_NOTHROW(hop::check_hop_version(c, {0, 2, 0}, "f"));
  CHECK_NOTHROW(hop::check_hop_version(c, {1, 0, 0}, "f"));
}
