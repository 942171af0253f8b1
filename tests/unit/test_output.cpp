#include <hop/error.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::Error carries exit code, details and hints", "[error]")
{
  hop::Error e = hop::fatal("cannot do it").detail("because").hint("try that");
  CHECK(std::string(e.what()) == "cannot do it");
  CHECK(e.exit_code() == 128);
  CHECK(e.details() == std::vector<std::string>{"because"});
  CHECK(e.hints() == std::vector<std::string>{"try that"});
  CHECK(hop::usage_error("x").exit_code() == 129);
  CHECK(hop::failure("x").exit_code() == 1);
  CHECK(hop::fatal("x").code(1).exit_code() == 1);
}
