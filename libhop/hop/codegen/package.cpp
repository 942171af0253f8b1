#include "package.hpp"

#include "naming.hpp"
#include "render.hpp"
#include "sections.hpp"
#include "types.hpp"

#include <hop/error.hpp>
#include <hop/output.hpp>
#include <hop/util/file.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>

namespace hop::codegen {

namespace fs = std::filesystem;

namespace {

using Key = std::pair<std::string, std::string>; // (schema, relation)
using ReverseMap = std::map<Key, std::vector<ReverseKey>>;

std::optional<std::string> read_if_exists(const fs::path& path)
{
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  return util::read_file(path);
}

std::string join_path(const std::vector<std::string>& elements, size_t count)
{
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += (i ? "/" : "") + elements[i];
  }
  return out;
}

bool is_stub_path(std::string_view path)
{
  return path.size() > 8 && path.ends_with("_test.py");
}

// The class of relation `name`: its camel-cased name (which half_orm looks
// for), or "R" + its dataclass-style name when that is not a Python
// identifier ("2024").
std::string class_name_of(std::string_view name)
{
  std::string camel = camel_case(name);
  return is_identifier(camel) ? camel
                              : "R" + dataclass_name("", name).substr(3);
}

// `name` between quotes for a message (escaped when it holds a control
// character, which would break the line).
std::string shown(const std::string& name)
{
  bool plain = std::none_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
  return plain ? "'" + name + "'" : py_string(name);
}

// Why `raw` was given another Python name than itself.
std::string renamed_because(const std::string& raw)
{
  if (is_python_keyword(raw)) {
    return shown(raw) + " is a Python keyword";
  }
  if (!is_identifier(raw)) {
    return shown(raw) + " is not a Python name";
  }
  return shown(raw) + " is taken";
}

// A package directory of the generated package, with the relations whose
// modules it holds, before it has Python names.
struct Directory
{
  std::map<std::string, Directory> packages; // raw schema part -> directory
  std::vector<const Relation*> modules;
  std::vector<std::string> schemas; // the schemas whose package it is
};

// Name the entries of `dir` (at `path` under the package) and below:
// fill `names` with each relation's path, warn about every renamed entry.
void name_directory(const Directory& dir, std::vector<std::string>& path,
                    NameMap& names, const std::string& package,
                    std::vector<std::string>& warnings)
{
  std::vector<DirectoryEntry> entries;
  for (const auto& [raw, sub] : dir.packages) {
    entries.push_back({true, raw, ""});
  }
  for (const Relation* rel : dir.modules) {
    entries.push_back({false, rel->name, ""});
  }
  name_entries(entries, reserved_names(path.empty()));
  size_t i = 0;
  for (const auto& [raw, sub] : dir.packages) {
    const std::string& name = entries[i++].name;
    path.push_back(name);
    if (name != raw) {
      for (const auto& schema : sub.schemas) {
        warnings.push_back("schema " + sql_identifier(schema) +
                           ": its package is " + package + "/" +
                           join_path(path, path.size()) + "/ (" +
                           renamed_because(raw) + ")");
      }
    }
    name_directory(sub, path, names, package, warnings);
    path.pop_back();
  }
  for (const Relation* rel : dir.modules) {
    const std::string& name = entries[i++].name;
    Names& n = names[{rel->schema, rel->name}];
    n.path = path;
    n.path.push_back(name);
    if (name != rel->name) {
      warnings.push_back(qualified_name(rel->schema, rel->name) +
                         ": its module is " + package + "/" +
                         join_path(n.path, n.path.size()) + ".py (" +
                         renamed_because(rel->name) + ")");
    }
  }
}

// Module paths, classes and dataclasses of every relation.
NameMap compute_names(const Catalog& catalog, const std::string& package,
                      std::vector<std::string>& warnings)
{
  Directory root;
  for (const auto& rel : catalog.relations) {
    Directory* dir = &root;
    std::vector<std::string> parts = schema_parts(rel.schema);
    for (const auto& part : parts) {
      dir = &dir->packages[part];
    }
    if (dir->schemas.empty() || dir->schemas.back() != rel.schema) {
      dir->schemas.push_back(rel.schema);
    }
    dir->modules.push_back(&rel);
  }
  NameMap names;
  std::vector<std::string> path;
  name_directory(root, path, names, package, warnings);

  std::set<std::string> dataclasses;
  for (const auto& rel : catalog.relations) {
    Names& n = names.at({rel.schema, rel.name});
    n.module = package;
    for (const auto& e : n.path) {
      n.module += "." + e;
    }
    n.class_name = class_name_of(rel.name);
    if (n.class_name != camel_case(rel.name)) {
      warnings.push_back(qualified_name(rel.schema, rel.name) +
                         ": its class is named " + n.class_name +
                         " (its camel-cased name is not a Python identifier)");
    }
    n.dataclass = dataclass_name(rel.schema, rel.name);
    for (int k = 2; !dataclasses.insert(n.dataclass).second; ++k) {
      n.dataclass =
          dataclass_name(rel.schema, rel.name) + "_" + std::to_string(k);
    }
  }
  return names;
}

// The names of the module at `rel_path` ("blog/public/post.py"), rebuilt
// from the path alone (to recognise an untouched test stub).
Names names_from_path(const std::string& package, const std::string& rel_path)
{
  Names n;
  std::string stem = rel_path.substr(0, rel_path.size() - 3);
  size_t pos = package.size() + 1;
  while (pos <= stem.size()) {
    size_t slash = stem.find('/', pos);
    n.path.push_back(stem.substr(
        pos, slash == std::string::npos ? std::string::npos : slash - pos));
    if (slash == std::string::npos) {
      break;
    }
    pos = slash + 1;
  }
  n.module = package;
  for (const auto& e : n.path) {
    n.module += "." + e;
  }
  n.class_name = class_name_of(n.path.back());
  return n;
}

// A generation being planned: what it will write, what it keeps.
class Planner {
public:
  Planner(const Catalog& catalog, const fs::path& root, std::string package)
      : m_catalog(catalog), m_root(root), m_package(std::move(package))
  {
    m_plan.relations = catalog.relations.size();
    if (auto text = read_if_exists(root / m_package / "sql_adapter.py")) {
      m_adapter = parse_adapter(*text);
    }
    m_names = compute_names(catalog, m_package, m_plan.warnings);
    m_reverse = reverse_keys(catalog);
    for (const auto& [key, n] : m_names) {
      m_module_paths.insert(join_path(n.path, n.path.size()));
    }
  }

  Plan plan()
  {
    plan_modules();
    plan_package_files();
    plan_inits();
    plan_removals();
    return finish();
  }

private:
  // A file written again at each generation.
  void output(const std::string& rel_path, std::string content)
  {
    m_outputs[rel_path] = std::move(content);
  }

  // A file written once: left as it is when it exists.
  void once(const std::string& rel_path,
            const std::function<std::string()>& make)
  {
    if (fs::exists(m_root / rel_path)) {
      m_kept.insert(rel_path);
    } else {
      m_outputs[rel_path] = make();
    }
  }

  const std::vector<ReverseKey>& reverse_of(const Relation& rel) const
  {
    static const std::vector<ReverseKey> none;
    auto it = m_reverse.find({rel.schema, rel.name});
    return it == m_reverse.end() ? none : it->second;
  }

  // The user's sections of the module at `rel_path`; nullopt (and an
  // error) when its marker lines are damaged.
  std::optional<Sections> user_sections(const std::string& rel_path)
  {
    auto existing = read_if_exists(m_root / rel_path);
    if (existing && is_stub_path(rel_path)) {
      // The untouched stub of relation foo, made before relation foo_test.
      std::string owner = rel_path.substr(0, rel_path.size() - 8) + ".py";
      if (*existing ==
          render_test_stub(m_package, names_from_path(m_package, owner))) {
        existing.reset();
      }
    }
    if (!existing) {
      return Sections{};
    }
    std::string why;
    auto found = extract_sections(*existing, &why);
    if (!found) {
      m_plan.errors.push_back(rel_path + ": damaged marker lines: " + why);
    }
    return found;
  }

  // Every relation's module, test stub and dataclass.
  void plan_modules()
  {
    for (const auto& rel : m_catalog.relations) {
      const Names& n = m_names.at({rel.schema, rel.name});
      for (size_t depth = 1; depth < n.path.size(); ++depth) {
        m_dirs[join_path(n.path, depth)];
      }
      m_dirs[join_path(n.path, n.path.size() - 1)].push_back(n.path.back());
      std::string rel_path =
          m_package + "/" + join_path(n.path, n.path.size()) + ".py";
      auto sections = user_sections(rel_path);
      if (!sections) {
        continue;
      }
      ModuleText module =
          render_module(m_package, rel, m_names, *sections, m_adapter,
                        m_catalog.database, reverse_of(rel));
      m_plan.warnings.insert(m_plan.warnings.end(), module.warnings.begin(),
                             module.warnings.end());
      output(rel_path, std::move(module.text));
      plan_stub(rel, n, rel_path);
      m_dataclasses.push_back(render_dataclass(
          rel, m_names, m_adapter, parse_fkeys(sections->klass),
          reverse_of(rel), m_imports, m_plan.warnings));
    }
  }

  // The test stub of a module: written once, unless a relation's module
  // has its name ("foo_test.py" is the module of relation foo_test).
  void plan_stub(const Relation& rel, const Names& n,
                 const std::string& rel_path)
  {
    std::string stub = rel_path.substr(0, rel_path.size() - 3) + "_test.py";
    if (m_module_paths.count(join_path(n.path, n.path.size()) + "_test")) {
      m_plan.warnings.push_back(qualified_name(rel.schema, rel.name) +
                                ": no test stub (" + stub +
                                " is the module of another relation)");
      return;
    }
    once(stub, [&] { return render_test_stub(m_package, n); });
  }

  // The files at the top of the package.
  void plan_package_files()
  {
    output(m_package + "/__init__.py", render_package_init(m_package));
    output(m_package + "/ho_dataclasses.py",
           render_dataclasses_file(m_package, m_dataclasses, m_imports));
    once(m_package + "/sql_adapter.py",
         [&] { return render_once("sql_adapter.py", m_package); });
    once(m_package + "/base_test.py",
         [&] { return render_once("base_test.py", m_package); });
  }

  // The __init__.py of every package directory of the schemas.
  void plan_inits()
  {
    for (auto& [dir, modules] : m_dirs) {
      // A directory of the user's that happens to bear a schema's name is
      // not taken over.
      std::string init_path = m_package + "/" + dir + "/__init__.py";
      if (auto init = read_if_exists(m_root / init_path);
          init && !is_generated_init(*init)) {
        m_plan.errors.push_back(init_path +
                                ": this directory is yours (its "
                                "__init__.py is not git-hop's) but a schema "
                                "needs it for its modules");
        continue;
      }
      std::sort(modules.begin(), modules.end());
      std::string dotted = m_package + "." + dir;
      std::replace(dotted.begin(), dotted.end(), '/', '.');
      output(init_path, render_schema_init("the package " + dotted, modules));
    }
  }

  // The .py files under the schemas' directories (not the top of the
  // package), sorted.
  std::vector<fs::path> schema_files() const
  {
    std::vector<fs::path> files;
    const fs::path pkg_dir = m_root / m_package;
    std::error_code ec;
    if (!fs::is_directory(pkg_dir, ec)) {
      return files;
    }
    for (auto it = fs::recursive_directory_iterator(pkg_dir, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        break;
      }
      if (it->is_directory() && it->path().filename() == "__pycache__") {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file() && it->path().extension() == ".py" &&
          it->path().parent_path() != pkg_dir) {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // Whether `file` (at `rel_path`) is git-hop's: a schema __init__.py, an
  // untouched test stub, or a generated module.
  bool ours(const fs::path& file, const std::string& rel_path) const
  {
    std::string name = file.filename().string();
    if (name == "__init__.py") {
      return true;
    }
    std::string text = util::read_file(file);
    if (is_stub_path(name)) {
      std::string module = rel_path.substr(0, rel_path.size() - 8) + ".py";
      return text ==
             render_test_stub(m_package, names_from_path(m_package, module));
    }
    return is_generated(text);
  }

  // Files of earlier generations that this one does not produce: removed
  // when git-hop made them, in directories git-hop made.
  void plan_removals()
  {
    for (const auto& file : schema_files()) {
      std::string rel_path = fs::relative(file, m_root).generic_string();
      if (m_outputs.count(rel_path) || m_kept.count(rel_path)) {
        continue;
      }
      auto init = read_if_exists(file.parent_path() / "__init__.py");
      if (!init || !is_generated_init(*init)) {
        continue;
      }
      if (ours(file, rel_path)) {
        m_plan.changes.push_back({rel_path, true, ""});
      } else {
        m_plan.warnings.push_back(rel_path +
                                  ": its relation is gone but the file "
                                  "is not git-hop's; left alone");
      }
    }
  }

  // The outputs whose bytes differ from the files, in path order.
  Plan finish()
  {
    for (auto& [rel_path, content] : m_outputs) {
      auto existing = read_if_exists(m_root / rel_path);
      if (existing && *existing == content) {
        ++m_plan.unchanged;
        continue;
      }
      m_plan.changes.push_back({rel_path, false, std::move(content)});
    }
    std::sort(m_plan.changes.begin(), m_plan.changes.end(),
              [](const Change& a, const Change& b) { return a.path < b.path; });
    return std::move(m_plan);
  }

  const Catalog& m_catalog;
  const fs::path& m_root;
  const std::string m_package;
  Plan m_plan;
  Adapter m_adapter;
  NameMap m_names;
  ReverseMap m_reverse;
  // Module paths of the relations: a test stub never takes one.
  std::set<std::string> m_module_paths;
  std::map<std::string, std::string> m_outputs; // rel path -> content
  std::set<std::string> m_kept;                 // written once, kept
  // Directory (relative to the package) -> module stems it holds.
  std::map<std::string, std::vector<std::string>> m_dirs;
  std::vector<std::string> m_dataclasses;
  std::set<std::string> m_imports;
};

} // namespace

Plan plan_package(const Catalog& catalog, const fs::path& root,
                  const std::string& package)
{
  return Planner(catalog, root, package).plan();
}

void apply_plan(const Plan& plan, const fs::path& root)
{
  if (!plan.errors.empty()) {
    HOP_BUG("apply_plan with errors");
  }
  std::set<fs::path> touched_dirs;
  for (const auto& change : plan.changes) {
    fs::path path = root / change.path;
    if (change.remove) {
      fs::remove(path);
      touched_dirs.insert(path.parent_path());
      continue;
    }
    fs::create_directories(path.parent_path());
    util::write_file_atomic(path, change.content);
  }
  // Remove directories left with nothing but __pycache__, deepest first.
  for (auto it = touched_dirs.rbegin(); it != touched_dirs.rend(); ++it) {
    fs::path dir = *it;
    std::error_code ec;
    while (fs::is_directory(dir, ec) && dir != root) {
      bool empty = true;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename() != "__pycache__") {
          empty = false;
          break;
        }
      }
      if (!empty) {
        break;
      }
      fs::remove_all(dir, ec);
      dir = dir.parent_path();
    }
  }
}

namespace {

void trace_lap(std::chrono::steady_clock::time_point& start,
               const std::string& what)
{
  if (output::tracing()) {
    output::trace("codegen: " + what + " (" + output::ms_since(start) + ")");
    start = std::chrono::steady_clock::now();
  }
}

} // namespace

Plan plan_from_database(db::Connection& conn, const fs::path& root,
                        const std::string& package)
{
  auto start = std::chrono::steady_clock::now();
  Catalog catalog = read_catalog(conn);
  trace_lap(start, "read the catalog: " +
                       std::to_string(catalog.relations.size()) + " relations");
  catalog.database = package;
  Plan plan = plan_package(catalog, root, package);
  trace_lap(start,
            "planned " + std::to_string(plan.changes.size()) + " changes");
  return plan;
}

void check_plan(const Plan& plan, const std::string& package,
                const std::string& detail)
{
  if (plan.errors.empty()) {
    return;
  }
  Error e = failure("cannot generate the package '" + package + "'");
  for (const auto& err : plan.errors) {
    e.detail(err);
  }
  if (!detail.empty()) {
    e.detail(detail);
  }
  e.hint("Restore the marker lines of damaged modules (compare with 'git "
         "diff'), or move your directory out of a schema's way; no file was "
         "written.");
  throw e;
}

Summary write_plan(Plan plan, const fs::path& root)
{
  auto start = std::chrono::steady_clock::now();
  apply_plan(plan, root);
  trace_lap(start, "wrote the changes");
  Summary s;
  s.relations = plan.relations;
  s.unchanged = plan.unchanged;
  for (const auto& c : plan.changes) {
    (c.remove ? s.removed : s.written) += 1;
  }
  s.warnings = std::move(plan.warnings);
  return s;
}

Summary generate_package(db::Connection& conn, const fs::path& root,
                         const std::string& package)
{
  Plan plan = plan_from_database(conn, root, package);
  check_plan(plan, package);
  return write_plan(std::move(plan), root);
}

} // namespace hop::codegen
