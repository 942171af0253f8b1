#include <hop/deploy/backup.hpp>
#include <hop/deploy/statements.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::deploy backup names", "[deploy]")
{
  using hop::deploy::backup_name;
  using hop::deploy::parse_backup_name;
  CHECK(backup_name("blog", hop::Version{0, 1, 2}, "20261201T101500Z") ==
        "blog-0.1.2-20261201T101500Z.dump");
  CHECK(backup_name("blog", std::nullopt, "20261201T101500Z") ==
        "blog-untracked-20261201T101500Z.dump");
  SECTION("parsed back, for a name with dashes too")
  {
    auto b =
        parse_backup_name("my-blog-1.2.3-20261201T101500Z.dump", "my-blog");
    REQUIRE(b);
    CHECK(b->release == hop::Version{1, 2, 3});
    CHECK(b->taken_at == "20261201T101500Z");
    auto u = parse_backup_name("my-blog-untracked-20261201T101500Z.2.dump",
                               "my-blog");
    REQUIRE(u);
    CHECK_FALSE(u->release);
    CHECK(u->taken_at == "20261201T101500Z.2");
  }
  SECTION("another database's backups, and other files")
  {
    CHECK_FALSE(
        parse_backup_name("blog-1.2.3-20261201T101500Z.dump", "my-blog"));
    CHECK_FALSE(parse_backup_name("blog-x.y-20261201T101500Z.dump", "blog"));
    CHECK_FALSE(parse_backup_name("blog-1.2.3-yesterday.dump", "blog"));
    CHECK_FALSE(parse_backup_name("blog-1.2.3-20261201T101500Z.sql", "blog"));
    CHECK_FALSE(parse_backup_name(".blog-1.2.3-20261201T101500Z.dump.hop-tmp-1",
                                  "blog"));
  }
}

TEST_CASE("hop::deploy::line_column_at and byte_of_position", "[deploy]")
{
  using hop::deploy::byte_of_position;
  using hop::deploy::line_column_at;
  const std::string text = "select 1;\n-- é\nselect x;";
  CHECK(line_column_at(text, 0) == std::pair<int, int>{1, 1});
  CHECK(line_column_at(text, 7) == std::pair<int, int>{1, 8});
  // 'é' is two bytes, one character: "select" after it starts at line 3.
  size_t second = text.find("select x");
  CHECK(line_column_at(text, second) == std::pair<int, int>{3, 1});
  CHECK(line_column_at(text, text.find('x')) == std::pair<int, int>{3, 8});
  CHECK(byte_of_position("é x", 1) == 0);
  CHECK(byte_of_position("é x", 2) == 2);
  CHECK(byte_of_position("é x", 3) == 3);
  CHECK(byte_of_position("ab", 9) == 2);
}
