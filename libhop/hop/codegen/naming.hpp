// Names in the generated package: Python's name rules (identifiers,
// keywords, case mappings as half_orm applies them), module paths, class
// and dataclass names, and Python literals. Case mappings and character
// classes come from libunistring and match Python's str methods (Unicode
// full case mapping, final sigma); the unit tests compare them with
// Python's own results.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace hop::codegen {

// --- Python's rules ---

// Whether `word` is one of Python's (hard) keywords: "class", "None"...
// Soft keywords (match, case, type, _) are not.
bool is_python_keyword(std::string_view word);

// Whether `name` can be a package name: a Python identifier made of ASCII
// letters, digits and '_', at most 63 bytes, not a keyword.
bool valid_package_name(std::string_view name);

// Python's str.lower(), str.upper() and str.capitalize() of UTF-8 text
// (an invalid byte counts as U+FFFD).
std::string py_lower(std::string_view text);
std::string py_upper(std::string_view text);
std::string capitalize(std::string_view text);

// Python's str.isalnum() of one code point.
bool py_isalnum(char32_t cp);

// Python's str.isidentifier() (keywords included).
bool py_isidentifier(std::string_view text);

// Whether `name` can be used as a Python identifier in generated code:
// str.isidentifier(), not a keyword, and unchanged by the NFKC
// normalisation Python applies to the identifiers of source code.
bool is_identifier(std::string_view name);

// `text` made an identifier: NFKC-normalised, every character that cannot
// continue an identifier replaced by '_', '_' in front when it cannot start
// one, '_' after a keyword ("my col" -> "my_col", "2024" -> "_2024",
// "class" -> "class_"). An identifier is returned unchanged.
std::string identifier_from(std::string_view text);

// --- half_orm's names ---

// half_orm's camel_case: lower-case, drop every character that is not
// alphanumeric, upper-case the one after it ("post_comment" ->
// "PostComment"). half_orm finds a relation's class under this name.
std::string camel_case(std::string_view name);

// "DC_" + each dot-part of the schema capitalised + each '_'-part of the
// relation capitalised ("blog.view", "post_comment" ->
// "DC_BlogViewPostComment"), made an identifier.
std::string dataclass_name(std::string_view schema, std::string_view relation);

// --- Module paths ---

// The raw names of a package directory's entries: sub-packages (the parts
// of schema names) and modules (relations), and what each is called.
struct DirectoryEntry
{
  bool package = false; // a sub-package (directory), else a module
  std::string raw;      // the schema part or relation name
  std::string name;     // its Python name (filled by name_entries)
};

// Give every entry of one package directory a Python name, unique in that
// directory and not in `reserved`: an entry whose raw name is an identifier
// keeps it (sub-packages first), the others get identifier_from(raw), then
// "_2", "_3"... while taken, in byte order of their raw names.
void name_entries(std::vector<DirectoryEntry>& entries,
                  const std::set<std::string>& reserved);

// The names a directory entry never gets: "__init__" and "__pycache__";
// at the top of the package also the files git-hop writes there.
const std::set<std::string>& reserved_names(bool top);

// The parts of a schema name: split on '.' ("blog.view" -> blog, view).
std::vector<std::string> schema_parts(std::string_view schema);

// --- Literals ---

// `text` as a single-quoted Python string literal.
std::string py_string(std::string_view text);

// `text` made safe inside a """ docstring (and unable to form a marker
// line of the user's sections: "#>>>" and "#<<<" get their '#' escaped).
std::string docstring_text(std::string_view text);

} // namespace hop::codegen
