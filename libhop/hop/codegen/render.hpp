// The text of each generated file, from templates/python/ and the catalog.
// Pure functions: no database, no file writes.
#pragma once

#include "catalog.hpp"
#include "sections.hpp"
#include "types.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace hop::codegen {

// How a relation appears in the package.
struct Names
{
  std::vector<std::string> path; // module path elements under the package
  std::string module;            // "blog.public.post" (dotted)
  std::string class_name;        // "Post"
  std::string dataclass;         // "DC_PublicPost"
  bool importable = true;        // every path element is an identifier
};

// Names of every relation of a catalog, keyed by (schema, relation).
using NameMap = std::map<std::pair<std::string, std::string>, Names>;

// A statement that binds `alias` (or `name`) to `name` of `module`:
// "from a.b import C as D", or through importlib when the module path is
// not made of identifiers. Sets `needs_importlib` then.
std::string import_statement(const Names& names, const std::string& alias,
                             bool& needs_importlib);

// "public.post" or "\"Sales\".\"big order\"": the relation as PostgreSQL
// would print it.
std::string qualified_name(std::string_view schema, std::string_view relation);

// The description of `rel` put in its class docstring (not indented).
std::string describe(const Relation& rel, const std::string& database);

// The 'key': 'value' pairs of the dictionary assigned to `name` in a user
// section: Fkeys (alias -> constraint) in the class section,
// fields_aliases (column -> attribute) in the module section.
std::map<std::string, std::string> parse_dict(std::string_view section,
                                              std::string_view name);

struct ModuleText
{
  std::string text;
  std::vector<std::string> warnings;
};

ModuleText render_module(const std::string& package, const Relation& rel,
                         const NameMap& names, const Sections& sections,
                         const Adapter& adapter, const std::string& database);

// One dataclass; adds the modules its field types need to `imports`.
std::string render_dataclass(const Relation& rel, const NameMap& names,
                             const Adapter& adapter,
                             const std::map<std::string, std::string>& fkeys,
                             std::set<std::string>& imports,
                             std::vector<std::string>& warnings);

std::string render_dataclasses_file(const std::string& package,
                                    const std::vector<std::string>& dataclasses,
                                    const std::set<std::string>& imports);
std::string render_package_init(const std::string& package);
// The __init__.py of a package directory listing `modules`; `what` says
// whose modules they are.
std::string render_schema_init(const std::string& what,
                               const std::vector<std::string>& modules);
std::string render_test_stub(const std::string& package, const Names& names);
std::string render_once(const std::string& template_name,
                        const std::string& package);

// Whether `text` is a module git-hop (or upstream hop) generated.
bool is_generated(std::string_view text);
// Whether `text` is the __init__.py of a package directory git-hop (or
// upstream hop: a docstring, then __all__) generated.
bool is_generated_init(std::string_view text);

} // namespace hop::codegen
