#include <hop/templates.hpp>

#include <catch2/catch.hpp>

TEST_CASE("hop::substitute", "[templates]")
{
  CHECK(hop::substitute("@A@-@B@-@A@@", {{"A", "x"}, {"B", "@A@"}}) ==
        "x-@A@-x@");
  CHECK(hop::substitute("no tokens", {{"A", "x"}}) == "no tokens");
}
