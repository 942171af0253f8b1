#include <hop/connection.hpp>
#include <hop/error.hpp>

#include <catch2/catch.hpp>

using hop::parse_connection_file;

TEST_CASE("hop::parse_connection_file", "[connection]")
{
  SECTION("every key")
  {
    auto s = parse_connection_file("# comment\n[database]\nname = blog_dev\n"
                                   "user=alice\npassword = s3cret\n"
                                   "host = db.local\nport: 5433\n"
                                   "production = True\n",
                                   "f");
    CHECK(s.name == "blog_dev");
    CHECK(s.user == "alice");
    CHECK(s.password == "s3cret");
    CHECK(s.host == "db.local");
    CHECK(s.port == "5433");
    CHECK(s.production);
    auto k = s.keywords();
    CHECK(k.at("dbname") == "blog_dev");
    CHECK(k.at("port") == "5433");
    auto env = s.environment();
    CHECK(env.at("PGDATABASE") == "blog_dev");
    CHECK(env.at("PGPASSWORD") == "s3cret");
  }
  SECTION("empty values are unset, production defaults to false")
  {
    auto s = parse_connection_file("[database]\nname = blog\nhost =\nport =\n"
                                   "user =\npassword =\n",
                                   "f");
    CHECK(s.name == "blog");
    CHECK_FALSE(s.host);
    CHECK_FALSE(s.port);
    CHECK_FALSE(s.user);
    CHECK_FALSE(s.password);
    CHECK_FALSE(s.production);
    CHECK(s.keywords().size() == 1);
  }
  SECTION("other sections are ignored")
  {
    auto s =
        parse_connection_file("[other]\nname = x\n[database]\nname = y\n", "f");
    CHECK(s.name == "y");
  }
  SECTION("errors")
  {
    CHECK_THROWS_WITH(parse_connection_file("name = x\n", "f"),
                      "f: no [database] section");
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nproduction = maybe\n", "f"),
        "f:2: 'production' must be True or False, not 'maybe'");
    CHECK_THROWS_WITH(parse_connection_file("[database\n", "f"),
                      "f:1: malformed section header '[database'");
    CHECK_THROWS_WITH(parse_connection_file("[database]\nnonsense\n", "f"),
                      "f:2: expected 'key = value', found 'nonsense'");
  }
}

TEST_CASE("hop::render_connection_file round-trips", "[connection]")
{
  hop::ConnectionSettings s;
  s.name = "blog";
  s.host = "/tmp/sock";
  std::string text = hop::render_connection_file(s);
  CHECK(text ==
        "[database]\nname = blog\nhost = /tmp/sock\nproduction = False\n");
  auto back = parse_connection_file(text, "f");
  CHECK(back.name == "blog");
  CHECK(back.host == "/tmp/sock");
  CHECK_FALSE(back.production);
}

TEST_CASE("hop::parse_ini_bool", "[connection]")
{
  for (const char* t : {"1", "yes", "True", "TRUE", "on"}) {
    CHECK(hop::parse_ini_bool(t) == true);
  }
  for (const char* f : {"0", "no", "False", "off"}) {
    CHECK(hop::parse_ini_bool(f) == false);
  }
  CHECK_FALSE(hop::parse_ini_bool("2"));
}
