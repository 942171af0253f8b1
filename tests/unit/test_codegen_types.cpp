#include <hop/codegen/types.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace hop::codegen;

namespace {

Column column(const char* type_name, char type_type = 'b',
              bool is_array = false, const char* base_type = "")
{
  Column c;
  c.name = "c";
  c.sql_type = type_name;
  c.type_name = type_name;
  c.type_type = type_type;
  c.is_array = is_array;
  c.base_type = base_type;
  return c;
}

} // namespace

TEST_CASE("hop::codegen::parse_adapter", "[codegen]")
{
  SECTION("the generated sql_adapter.py has no entry")
  {
    CHECK(parse_adapter("SQL_ADAPTER = {\n    # 'ltree': str,\n}\n").empty());
  }
  SECTION("entries, both quote styles, comments, trailing commas")
  {
    Adapter a = parse_adapter(R"("""SQL type -> Python type.

'outside': int,
"""

SQL_ADAPTER = {
    # 'commented': str,
    'ltree': str,
    "hstore": dict,  # a comment
    'geometry': shapely.geometry.Point
    'spaced' :   decimal.Decimal  ,
	'tabbed': int,

    'number': 42,
    'call': str(),
    'lambda': lambda x: x,
    'string': 'str',
    'dotdot': a..b,
    'trailing_dot': a.,
    'digit': 2fa,
    unquoted: int,
    'no colon' int,
}
'after': int,
SQL_ADAPTER_2 = {
    'other': int,
}
)");
    CHECK(a == Adapter{{"ltree", "str"},
                       {"hstore", "dict"},
                       {"geometry", "shapely.geometry.Point"},
                       {"spaced", "decimal.Decimal"},
                       {"tabbed", "int"}});
  }
  SECTION("CRLF lines")
  {
    CHECK(parse_adapter("SQL_ADAPTER = {\r\n    'ltree': str,\r\n}\r\n") ==
          Adapter{{"ltree", "str"}});
  }
  SECTION("no SQL_ADAPTER")
  {
    CHECK(parse_adapter("'ltree': str,\n").empty());
    CHECK(parse_adapter("").empty());
  }
}

TEST_CASE("hop::codegen::python_type", "[codegen]")
{
  const Adapter none;

  SECTION("builtin types")
  {
    PyType t = python_type(column("int4"), none);
    CHECK(t.expr == "int");
    CHECK(t.module == "");
    CHECK(t.known);
    CHECK(python_type(column("int8"), none).expr == "int");
    CHECK(python_type(column("bool"), none).expr == "bool");
    CHECK(python_type(column("float8"), none).expr == "float");
    CHECK(python_type(column("text"), none).expr == "str");
    CHECK(python_type(column("varchar"), none).expr == "str");
    CHECK(python_type(column("bytea"), none).expr == "bytes");
    t = python_type(column("numeric"), none);
    CHECK(t.expr == "decimal.Decimal");
    CHECK(t.module == "decimal");
    t = python_type(column("timestamptz"), none);
    CHECK(t.expr == "datetime.datetime");
    CHECK(t.module == "datetime");
    CHECK(python_type(column("date"), none).expr == "datetime.date");
    CHECK(python_type(column("interval"), none).expr == "datetime.timedelta");
    t = python_type(column("uuid"), none);
    CHECK(t.expr == "uuid.UUID");
    CHECK(t.module == "uuid");
    t = python_type(column("jsonb"), none);
    CHECK(t.expr == "typing.Any");
    CHECK(t.module == "typing");
    CHECK(t.known);
  }
  SECTION("arrays are lists")
  {
    PyType t = python_type(column("_int4", 'b', true), none);
    CHECK(t.expr == "list");
    CHECK(t.module == "");
    CHECK(t.known);
    CHECK(python_type(column("_ltree", 'b', true), none).expr == "list");
  }
  SECTION("enums are str")
  {
    PyType t = python_type(column("mood", 'e'), none);
    CHECK(t.expr == "str");
    CHECK(t.known);
  }
  SECTION("domains map as their base type")
  {
    CHECK(python_type(column("posint", 'd', false, "int4"), none).expr ==
          "int");
    PyType t = python_type(column("day", 'd', false, "date"), none);
    CHECK(t.expr == "datetime.date");
    CHECK(t.module == "datetime");
    t = python_type(column("tags", 'd', false, "_text"), none);
    CHECK(t.expr == "list");
    CHECK(t.known);
    t = python_type(column("path", 'd', false, "ltree"), none);
    CHECK(t.expr == "typing.Any");
    CHECK_FALSE(t.known);
  }
  SECTION("unknown types fall back to typing.Any")
  {
    PyType t = python_type(column("ltree"), none);
    CHECK(t.expr == "typing.Any");
    CHECK(t.module == "typing");
    CHECK_FALSE(t.known);
    CHECK_FALSE(python_type(column("point_t", 'c'), none).known);
  }
  SECTION("the adapter overrides builtin and unknown types")
  {
    Adapter a{{"int4", "numbers.Integral"},
              {"ltree", "str"},
              {"_int4", "tuple"},
              {"posint", "my.types.PosInt"}};
    PyType t = python_type(column("int4"), a);
    CHECK(t.expr == "numbers.Integral");
    CHECK(t.module == "numbers");
    CHECK(t.known);
    t = python_type(column("ltree"), a);
    CHECK(t.expr == "str");
    CHECK(t.module == "");
    CHECK(t.known);
    CHECK(python_type(column("_int4", 'b', true), a).expr == "tuple");
    CHECK(python_type(column("_int8", 'b', true), a).expr == "list");
    // A domain: its own entry first, then its base type's.
    t = python_type(column("posint", 'd', false, "int4"), a);
    CHECK(t.expr == "my.types.PosInt");
    CHECK(t.module == "my.types");
    CHECK(python_type(column("age", 'd', false, "int4"), a).expr ==
          "numbers.Integral");
    CHECK(python_type(column("label", 'd', false, "ltree"), a).expr == "str");
    // An enum of the adapter.
    CHECK(
        python_type(column("mood", 'e'), Adapter{{"mood", "enum.Enum"}}).expr ==
        "enum.Enum");
  }
}

TEST_CASE("hop::codegen::module_of", "[codegen]")
{
  CHECK(module_of("datetime.date") == "datetime");
  CHECK(module_of("shapely.geometry.Point") == "shapely.geometry");
  CHECK(module_of("int") == "");
  CHECK(module_of("") == "");
}
