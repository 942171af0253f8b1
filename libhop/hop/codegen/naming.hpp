// Names in the generated package: module paths, class names, dataclass
// names and Python literals, the way half_orm's importer expects them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hop::codegen {

// half_orm's camel_case: lower-case, drop every character that is not a
// letter or digit, upper-case the one after it ("post_comment" ->
// "PostComment").
std::string camel_case(std::string_view name);

// Python's str.capitalize() for the letters we know how to map.
std::string capitalize(std::string_view word);

// "DC_" + each dot-part of the schema capitalised + each '_'-part of the
// relation capitalised ("blog.view", "post_comment" ->
// "DC_BlogViewPostComment"), made an identifier.
std::string dataclass_name(std::string_view schema, std::string_view relation);

// Whether `name` can be used as a Python identifier in generated code
// (letters, digits, '_'; non-ASCII letters of the Latin, Greek and
// Cyrillic blocks), and is not a keyword.
bool is_identifier(std::string_view name);

// A file or directory name for a schema or relation name element: a
// Python keyword gets a trailing '_'; '/', NUL and a leading '.' are
// replaced by '_' (they would escape the directory).
std::string path_element(std::string_view name);

// The path elements of the module of `schema`.`relation` under the
// package: the schema split on '.', then the relation.
std::vector<std::string> module_path(std::string_view schema,
                                     std::string_view relation);

// `text` as a single-quoted Python string literal.
std::string py_string(std::string_view text);

// `text` made safe inside a """ docstring (and unable to form a marker
// line of the user's sections: "#>>>" and "#<<<" get their '#' escaped).
std::string docstring_text(std::string_view text);

} // namespace hop::codegen
