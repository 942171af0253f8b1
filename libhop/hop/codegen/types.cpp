#include "types.hpp"

#include <hop/util/string.hpp>

#include <sstream>

namespace hop::codegen {

namespace {

const std::map<std::string, std::string>& builtin_types()
{
  static const std::map<std::string, std::string> types = {
      {"bool", "bool"},
      {"int2", "int"},
      {"int4", "int"},
      {"int8", "int"},
      {"oid", "int"},
      {"float4", "float"},
      {"float8", "float"},
      {"numeric", "decimal.Decimal"},
      {"money", "str"},
      {"text", "str"},
      {"varchar", "str"},
      {"bpchar", "str"},
      {"char", "str"},
      {"name", "str"},
      {"citext", "str"},
      {"xml", "str"},
      {"inet", "str"},
      {"cidr", "str"},
      {"macaddr", "str"},
      {"macaddr8", "str"},
      {"bit", "str"},
      {"varbit", "str"},
      {"tsvector", "str"},
      {"tsquery", "str"},
      {"bytea", "bytes"},
      {"date", "datetime.date"},
      {"timestamp", "datetime.datetime"},
      {"timestamptz", "datetime.datetime"},
      {"time", "datetime.time"},
      {"timetz", "datetime.time"},
      {"interval", "datetime.timedelta"},
      {"uuid", "uuid.UUID"},
      {"json", "typing.Any"},
      {"jsonb", "typing.Any"},
  };
  return types;
}

bool dotted_name(std::string_view s)
{
  if (s.empty()) {
    return false;
  }
  bool start = true;
  for (char c : s) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (c == '.') {
      if (start) {
        return false;
      }
      start = true;
      continue;
    }
    if (!(alpha || (digit && !start))) {
      return false;
    }
    start = false;
  }
  return !start;
}

} // namespace

std::string module_of(std::string_view expr)
{
  size_t dot = expr.rfind('.');
  return dot == std::string_view::npos ? "" : std::string(expr.substr(0, dot));
}

Adapter parse_adapter(std::string_view text)
{
  Adapter adapter;
  std::istringstream in{std::string(text)};
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    std::string t = util::trim(line);
    if (!inside) {
      inside =
          t.rfind("SQL_ADAPTER", 0) == 0 && t.find('{') != std::string::npos;
      continue;
    }
    if (t.rfind("}", 0) == 0) {
      break;
    }
    if (t.empty() || t[0] == '#' || (t[0] != '\'' && t[0] != '"')) {
      continue;
    }
    char quote = t[0];
    size_t close = t.find(quote, 1);
    if (close == std::string::npos) {
      continue;
    }
    std::string key = t.substr(1, close - 1);
    size_t colon = t.find(':', close);
    if (colon == std::string::npos) {
      continue;
    }
    std::string value = t.substr(colon + 1);
    if (size_t hash = value.find('#'); hash != std::string::npos) {
      value = value.substr(0, hash);
    }
    value = util::trim(value);
    if (!value.empty() && value.back() == ',') {
      value.pop_back();
    }
    value = util::trim(value);
    if (dotted_name(value)) {
      adapter[key] = value;
    }
  }
  return adapter;
}

PyType python_type(const Column& column, const Adapter& adapter)
{
  auto make = [](const std::string& expr) {
    return PyType{expr, module_of(expr), true};
  };
  if (auto it = adapter.find(column.type_name); it != adapter.end()) {
    return make(it->second);
  }
  if (column.is_array) {
    return make("list");
  }
  if (column.type_type == 'e') {
    return make("str");
  }
  const std::string& name = column.type_type == 'd' && !column.base_type.empty()
                                ? column.base_type
                                : column.type_name;
  if (auto it = adapter.find(name); it != adapter.end()) {
    return make(it->second);
  }
  if (auto it = builtin_types().find(name); it != builtin_types().end()) {
    return make(it->second);
  }
  if (name.size() > 1 && name[0] == '_') { // a domain over an array
    return make("list");
  }
  return PyType{"typing.Any", "typing", false};
}

} // namespace hop::codegen
