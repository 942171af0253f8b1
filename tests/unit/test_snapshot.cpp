#include <hop/snapshot.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::snapshot::normalize drops version banners", "[snapshot]")
{
  std::string dump = "--\n-- PostgreSQL database dump\n--\n\n"
                     "-- Dumped from database version 15.18\n"
                     "-- Dumped by pg_dump version 15.18\n\n"
                     "SET x = 1;\n";
  CHECK(hop::snapshot::normalize(dump) ==
        "--\n-- PostgreSQL database dump\n--\n\n\nSET x = 1;\n");
}

TEST_CASE("hop::snapshot file names", "[snapshot]")
{
  CHECK(hop::snapshot::schema_file("1.2.3") == "model/schema-1.2.3.sql");
  CHECK(hop::snapshot::metadata_file("1.2.3") == "model/metadata-1.2.3.sql");
}

TEST_CASE("hop::snapshot::compare_schemas", "[snapshot]")
{
  const std::string base = "--\n-- Name: post; Type: TABLE; Schema: public; "
                           "Owner: -\n--\n\nCREATE TABLE public.post (\n"
                           "    id integer\n);\n\n"
                           "--\n-- Name: hop_release; Type: TABLE; Schema: "
                           "half_orm_meta; Owner: -\n--\n\nCREATE TABLE "
                           "half_orm_meta.hop_release (x int);\n";
  SECTION("equal dumps")
  {
    CHECK(hop::snapshot::compare_schemas(base, base, "a", "b").empty());
  }
  SECTION("git-hop's own schema is not compared")
  {
    std::string other = base;
    other.replace(other.find("(x int)"), 7, "(y int)");
    CHECK(hop::snapshot::compare_schemas(base, other, "a", "b").empty());
  }
  SECTION("a changed, an added and a missing object")
  {
    std::string other = "--\n-- Name: post; Type: TABLE; Schema: public; "
                        "Owner: -\n--\n\nCREATE TABLE public.post (\n"
                        "    id bigint\n);\n\n"
                        "--\n-- Name: post_id; Type: INDEX; Schema: public; "
                        "Owner: -\n--\n\nCREATE INDEX post_id ON public.post "
                        "(id);\n";
    auto diff =
        hop::snapshot::compare_schemas(base, other, "expected", "the database");
    REQUIRE(diff.size() == 2);
    CHECK(diff[0] == "table public.post: differs from expected");
    CHECK(diff[1] == "index public.post_id: only in the database");
    auto back =
        hop::snapshot::compare_schemas(other, base, "expected", "the database");
    CHECK(back == std::vector<std::string>{
                      "table public.post: differs from expected",
                      "index public.post_id: missing from the database"});
  }
}

TEST_CASE("hop::snapshot::with_restrict_key", "[snapshot]")
{
  using hop::snapshot::with_restrict_key;
  const std::string dump = "--\n-- PostgreSQL database dump\n--\n\n"
                           "\\restrict githop\n\nSET x = 1;\n"
                           "--\n-- done\n--\n\n\\unrestrict githop\n\n";
  SECTION("a dump's opening and closing lines get the key")
  {
    CHECK(with_restrict_key(dump, "K") ==
          "--\n-- PostgreSQL database dump\n--\n\n\\restrict K\n\nSET x = 1;\n"
          "--\n-- done\n--\n\n\\unrestrict K\n\n");
  }
  SECTION("two dumps back to back")
  {
    std::string two = with_restrict_key(dump + dump, "K");
    size_t n = 0;
    for (size_t p = 0; (p = two.find("\\restrict K\n", p)) != std::string::npos;
         ++p) {
      ++n;
    }
    CHECK(n == 2);
    CHECK(two.find("githop") == std::string::npos);
  }
  SECTION("an \\unrestrict inside a dump keeps the public key")
  {
    std::string hostile =
        "\\restrict githop\nSET x = 1;\n"
        "\\unrestrict githop\n\\! touch pwned\n"
        "\\restrict githop\nSET y = 2;\n\\unrestrict githop\n";
    CHECK(with_restrict_key(hostile, "K") ==
          "\\restrict K\nSET x = 1;\n\\unrestrict githop\n\\! touch pwned\n"
          "\\restrict githop\nSET y = 2;\n\\unrestrict K\n");
  }
  SECTION("the same dump with another key, each time")
  {
    CHECK(with_restrict_key(dump, "A") != with_restrict_key(dump, "B"));
  }
}
