// SQL type -> Python type of the generated dataclasses: git-hop's own map,
// overridden by the user's <package>/sql_adapter.py.
#pragma once

#include "catalog.hpp"

#include <map>
#include <optional>
#include <string>

namespace hop::codegen {

struct PyType
{
  std::string expr;   // "int", "datetime.date", "typing.Any"
  std::string module; // module to import for it, "" for builtins
  bool known = true;  // false: fell back to typing.Any
};

// The user's map: the entries "'<sql type>': <python type>," of the
// SQL_ADAPTER dictionary in sql_adapter.py.
using Adapter = std::map<std::string, std::string>;
Adapter parse_adapter(std::string_view text);

// The Python type of `column`.
PyType python_type(const Column& column, const Adapter& adapter);

// The module a dotted expression needs ("datetime.date" -> "datetime").
std::string module_of(std::string_view expr);

} // namespace hop::codegen
