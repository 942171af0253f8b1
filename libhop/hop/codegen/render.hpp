// The text of each generated file, from templates/python/ and the catalog.
// Pure functions: no database, no file writes.
#pragma once

#include "catalog.hpp"
#include "sections.hpp"
#include "types.hpp"

#include <map>
#include <optional>
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
};

// Names of every relation of a catalog, keyed by (schema, relation).
using NameMap = std::map<std::pair<std::string, std::string>, Names>;

// A foreign key that references a relation, seen from that relation:
// half_orm gives the referenced relation a reverse key for it.
struct ReverseKey
{
  std::string schema;   // the referencing relation
  std::string relation; //
  ForeignKey fk;        // its foreign key (fk.columns are its own columns)
};

// The reverse keys of every relation of `catalog`, keyed by (schema,
// relation), in the order of the referencing relations and their keys.
std::map<std::pair<std::string, std::string>, std::vector<ReverseKey>>
reverse_keys(const Catalog& catalog);

// The name half_orm gives `key` in a database named `database`:
// "_reverse_fkey_<database>_<schema>_<relation>_<columns>", dots and colons
// made '_', double quotes dropped.
std::string reverse_fkey_name(std::string_view database, const ReverseKey& key);

// The same name, resolved at run time by the package's reverse_fkey()
// whatever the database is called: "reverse_fkey('sales.order', 'id')".
std::string reverse_fkey_call(const ReverseKey& key);

// "from a.b import C as D": a statement that binds `alias` to the class
// of `names`.
std::string import_statement(const Names& names, const std::string& alias);

// "public.post", "\"Sales\".\"big order\"", "sales.\"order\"": the relation
// as PostgreSQL's quote_ident() would print it.
std::string qualified_name(std::string_view schema, std::string_view relation);

// A name as PostgreSQL's quote_ident() prints it: quoted unless made of
// lower-case ASCII letters, digits and '_' (not first a digit) and not a
// reserved word.
std::string sql_identifier(std::string_view name);

// Why a column cannot be an attribute and an argument of the generated
// __init__ ("a Python keyword"...), or nullopt when it can.
std::optional<std::string> column_problem(const std::string& name);

// The description of `rel` put in its class docstring (not indented):
// `reverse` are the keys of the relations that reference it, `aliases` the
// user's fields_aliases (an aliased column is not flagged).
std::string describe(const Relation& rel, const std::string& database,
                     const std::vector<ReverseKey>& reverse = {},
                     const std::map<std::string, std::string>& aliases = {});

// The 'key': 'value' pairs of the dictionary assigned to `name` in a user
// section (fields_aliases: column -> attribute, in the module section).
std::map<std::string, std::string> parse_dict(std::string_view section,
                                              std::string_view name);

// One entry of the Fkeys dictionary of a class section: the alias and
// either a string (a constraint name, or half_orm's name of a reverse key)
// or a call reverse_fkey('schema.relation', 'column'...).
struct FkeyEntry
{
  std::string alias;
  std::string name; // the string value; empty for a call
  std::optional<std::vector<std::string>> call; // reverse_fkey()'s arguments
};

// The entries of `Fkeys = {...}` in a class section, in order; empty
// aliases and entries of another form are left out.
std::vector<FkeyEntry> parse_fkeys(std::string_view section);

// The relation (schema, relation) an Fkeys entry leads to from `rel`: the
// target of a foreign key of `rel`, or the referencing relation of one of
// its reverse keys (named by reverse_fkey(), or by half_orm's name with any
// database name); nullopt when it names no key of `rel`.
std::optional<std::pair<std::string, std::string>>
fkey_target(const Relation& rel, const std::vector<ReverseKey>& reverse,
            const FkeyEntry& entry);

struct ModuleText
{
  std::string text;
  std::vector<std::string> warnings;
};

ModuleText render_module(const std::string& package, const Relation& rel,
                         const NameMap& names, const Sections& sections,
                         const Adapter& adapter, const std::string& database,
                         const std::vector<ReverseKey>& reverse = {});

// One dataclass; adds the modules its field types need to `imports`.
std::string render_dataclass(const Relation& rel, const NameMap& names,
                             const Adapter& adapter,
                             const std::vector<FkeyEntry>& fkeys,
                             const std::vector<ReverseKey>& reverse,
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
