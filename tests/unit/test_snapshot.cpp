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
