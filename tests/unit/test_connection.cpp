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
    CHECK_THROWS_WITH(parse_connection_file("[other]\nname = x\n", "f"),
                      "f: no [database] section");
    CHECK_THROWS_WITH(parse_connection_file("name = x\n", "f"),
                      "f:1: 'name = x' comes before any section header");
    CHECK_THROWS_WITH(parse_connection_file("[database]\nuser = x\n", "f"),
                      "f: no 'name' in [database]");
    CHECK_THROWS_WITH(parse_connection_file("[database]\nname =\n", "f"),
                      "f: 'name' is empty");
    CHECK_THROWS_WITH(parse_connection_file(
                          "[database]\nname = a\nproduction = maybe\n", "f"),
                      "f:3: 'production' must be True or False, not 'maybe'");
    CHECK_THROWS_WITH(parse_connection_file("[database\n", "f"),
                      "f:1: malformed section header '[database'");
    CHECK_THROWS_WITH(parse_connection_file("[database]\nnonsense\n", "f"),
                      "f:2: expected 'key = value', found 'nonsense'");
  }
}

TEST_CASE("hop::parse_connection_file reads as configparser does",
          "[connection]")
{
  SECTION("duplicates are errors (strict)")
  {
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nname = a\nName: b\n", "f"),
        "f:3: duplicate key 'name' in section [database]");
    CHECK_THROWS_WITH(
        parse_connection_file("[x]\nk = 1\nk = 2\n[database]\nname = a\n", "f"),
        "f:3: duplicate key 'k' in section [x]");
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nname = a\n\n[database]\nuser = b\n",
                              "f"),
        "f:4: duplicate section [database]");
    CHECK_THROWS_WITH(
        parse_connection_file(
            "[DEFAULT]\nuser = a\n[DEFAULT]\nuser = b\n[database]\nname=x\n",
            "f"),
        "f:4: duplicate key 'user' in section [DEFAULT]");
  }
  SECTION("an indented line continues the value above")
  {
    CHECK_THROWS_WITH(
        parse_connection_file(
            "[database]\nname = a\n# note\n\n   production = True\n", "f"),
        "f:5: 'production = True' is a continuation line");
    // Right after a header, an indented key is a key.
    auto s = parse_connection_file("[database]\n  name = a\n  user = b\n", "f");
    CHECK(s.name == "a");
    CHECK(s.user == "b");
  }
  SECTION("inline comments are part of the value")
  {
    auto s = parse_connection_file("[database]\nname = a ; b\n", "f");
    CHECK(s.name == "a ; b");
  }
  SECTION("section names are exact; text after the last ] is ignored")
  {
    CHECK_THROWS_WITH(parse_connection_file("[ database ]\nname = a\n", "f"),
                      "f: no [database] section");
    CHECK_THROWS_WITH(parse_connection_file("[Database]\nname = a\n", "f"),
                      "f: no [database] section");
    CHECK(parse_connection_file("[database] x\nname = a\n", "f").name == "a");
    CHECK_THROWS_WITH(parse_connection_file("[]\nname = a\n", "f"),
                      "f:1: malformed section header '[]'");
  }
  SECTION("[DEFAULT] is inherited")
  {
    auto s = parse_connection_file(
        "[DEFAULT]\nproduction = yes\nuser = u\n[database]\nname = a\n"
        "user = v\n",
        "f");
    CHECK(s.production);
    CHECK(s.user == "v");
  }
  SECTION("%-interpolation")
  {
    auto s = parse_connection_file(
        "[DEFAULT]\nbase = blog\n[database]\nname = %(BASE)s_dev\n"
        "password = 100%%\n",
        "f");
    CHECK(s.name == "blog_dev");
    CHECK(s.password == "100%");
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nname = a\npassword = 50%off\n", "f"),
        "f:3: '%' in the value of 'password' must be followed by '%' or "
        "'(name)s'");
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nname = %(nope)s\n", "f"),
        "f:2: the value of 'name' refers to '%(nope)s', which is not set");
    CHECK_THROWS_WITH(
        parse_connection_file("[database]\nname = %(name)s\n", "f"),
        Catch::Contains("refers to itself"));
  }
  SECTION("CR and CRLF line ends")
  {
    auto s = parse_connection_file("[database]\r\nname = a\ruser = b\r\n", "f");
    CHECK(s.name == "a");
    CHECK(s.user == "b");
  }
  SECTION("errors name the key's line")
  {
    CHECK_THROWS_WITH(parse_connection_file("[database]\n= x\nname = a\n", "f"),
                      "f:2: no key before '=' in '= x'");
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
