#include <hop/hooks.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::hooks::parse_pre_push", "[hooks]")
{
  const std::string zeros(40, '0');
  const std::string a(40, 'a');
  const std::string b(40, 'b');
  SECTION("refs, blank lines, a deletion")
  {
    auto refs = hop::hooks::parse_pre_push(
        "refs/heads/hop_main " + a + " refs/heads/hop_main " + b + "\n\n" +
        "(delete) " + zeros + " refs/tags/0.1.0 " + b + "\n");
    REQUIRE(refs.size() == 2);
    CHECK(refs[0].local_ref == "refs/heads/hop_main");
    CHECK(refs[0].local_sha == a);
    CHECK(refs[0].remote_ref == "refs/heads/hop_main");
    CHECK(refs[0].remote_sha == b);
    CHECK_FALSE(refs[0].deletion);
    CHECK(refs[1].deletion);
  }
  SECTION("nothing")
  {
    CHECK(hop::hooks::parse_pre_push("").empty());
    CHECK(hop::hooks::parse_pre_push("\n  \n").empty());
  }
  SECTION("malformed lines")
  {
    CHECK_THROWS_WITH(hop::hooks::parse_pre_push("refs/heads/x " + a + "\n"),
                      Catch::StartsWith("pre-push: line 1 of git's input"));
    CHECK_THROWS_WITH(
        hop::hooks::parse_pre_push("\nr " + a + " r " + b + " extra\n"),
        Catch::StartsWith("pre-push: line 2 of git's input"));
  }
}
