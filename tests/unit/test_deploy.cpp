#include <hop/deploy/backup.hpp>

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
