#include "package.hpp"

#include "naming.hpp"
#include "render.hpp"
#include "sections.hpp"
#include "types.hpp"

#include <hop/error.hpp>
#include <hop/output.hpp>
#include <hop/templates.hpp>

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

std::optional<std::string> read_if_exists(const fs::path& path)
{
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  return read_file(path);
}

std::string join_path(const std::vector<std::string>& elements, size_t count)
{
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out += (i ? "/" : "") + elements[i];
  }
  return out;
}

// The class of relation `name`: its camel-cased name, or "R" + its
// dataclass-style name when that is not a Python identifier ("2024").
std::string class_name_of(std::string_view name)
{
  std::string camel = camel_case(name);
  return is_identifier(camel) ? camel
                              : "R" + dataclass_name("", name).substr(3);
}

NameMap compute_names(const Catalog& catalog, const std::string& package,
                      std::vector<std::string>& warnings)
{
  NameMap names;
  std::set<std::string> paths;
  std::set<std::string> dataclasses;
  for (const auto& rel : catalog.relations) {
    Names n;
    n.path = module_path(rel.schema, rel.name);
    std::string path = join_path(n.path, n.path.size());
    if (n.path.back() == "__init__") {
      // Its module would be the __init__.py of its schema's package.
      warnings.push_back(qualified_name(rel.schema, rel.name) +
                         ": its module " + package + "/" + path +
                         ".py is its schema's package file; not generated");
      continue;
    }
    if (!paths.insert(path).second) {
      warnings.push_back(qualified_name(rel.schema, rel.name) +
                         ": its module " + package + "/" + path +
                         ".py is taken by another relation; not generated");
      continue;
    }
    n.module = package;
    for (const auto& e : n.path) {
      n.module += "." + e;
      n.importable = n.importable && is_identifier(e);
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
    names.emplace(std::make_pair(rel.schema, rel.name), std::move(n));
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
    n.importable = n.importable && is_identifier(e);
  }
  n.class_name = class_name_of(n.path.back());
  return n;
}

} // namespace

Plan plan_package(const Catalog& catalog, const fs::path& root,
                  const std::string& package)
{
  Plan plan;
  plan.relations = catalog.relations.size();
  const fs::path pkg_dir = root / package;
  std::map<std::string, std::string> outputs; // rel path -> content
  std::set<std::string> written_once;         // rel paths kept as they are

  auto output = [&](const std::string& rel_path, std::string content) {
    outputs[rel_path] = std::move(content);
  };
  auto once = [&](const std::string& rel_path,
                  const std::function<std::string()>& make) {
    if (fs::exists(root / rel_path)) {
      written_once.insert(rel_path);
    } else {
      outputs[rel_path] = make();
    }
  };

  Adapter adapter;
  if (auto text = read_if_exists(pkg_dir / "sql_adapter.py")) {
    adapter = parse_adapter(*text);
  }
  NameMap names = compute_names(catalog, package, plan.warnings);
  // Module paths of the relations: a test stub never takes one
  // ("foo_test.py" is the module of relation foo_test, not foo's stub).
  std::set<std::string> module_paths;
  for (const auto& [key, n] : names) {
    module_paths.insert(join_path(n.path, n.path.size()));
  }

  // Directory (relative to the package) -> module stems it holds.
  std::map<std::string, std::vector<std::string>> dirs;
  std::vector<std::string> dataclasses;
  std::set<std::string> imports;
  for (const auto& rel : catalog.relations) {
    auto it = names.find({rel.schema, rel.name});
    if (it == names.end()) {
      continue;
    }
    const Names& n = it->second;
    for (size_t depth = 1; depth < n.path.size(); ++depth) {
      dirs[join_path(n.path, depth)];
    }
    dirs[join_path(n.path, n.path.size() - 1)].push_back(n.path.back());
    std::string rel_path =
        package + "/" + join_path(n.path, n.path.size()) + ".py";

    Sections sections;
    auto existing = read_if_exists(root / rel_path);
    if (existing && rel_path.size() > 8 &&
        rel_path.compare(rel_path.size() - 8, 8, "_test.py") == 0) {
      // The untouched stub of relation foo, made before relation foo_test.
      std::string owner = rel_path.substr(0, rel_path.size() - 8) + ".py";
      if (*existing ==
          render_test_stub(package, names_from_path(package, owner))) {
        existing.reset();
      }
    }
    if (existing) {
      std::string why;
      auto found = extract_sections(*existing, &why);
      if (!found) {
        plan.errors.push_back(rel_path + ": damaged marker lines: " + why);
        continue;
      }
      sections = *found;
    }
    ModuleText module =
        render_module(package, rel, names, sections, adapter, catalog.database);
    plan.warnings.insert(plan.warnings.end(), module.warnings.begin(),
                         module.warnings.end());
    output(rel_path, std::move(module.text));
    std::string stub = rel_path.substr(0, rel_path.size() - 3) + "_test.py";
    if (module_paths.count(join_path(n.path, n.path.size()) + "_test")) {
      plan.warnings.push_back(qualified_name(rel.schema, rel.name) +
                              ": no test stub (" + stub +
                              " is the module of another relation)");
    } else {
      once(stub, [&] { return render_test_stub(package, n); });
    }
    dataclasses.push_back(render_dataclass(rel, names, adapter,
                                           parse_dict(sections.klass, "Fkeys"),
                                           imports, plan.warnings));
  }

  output(package + "/__init__.py", render_package_init(package));
  output(package + "/ho_dataclasses.py",
         render_dataclasses_file(package, dataclasses, imports));
  once(package + "/sql_adapter.py",
       [&] { return render_once("sql_adapter.py", package); });
  once(package + "/base_test.py",
       [&] { return render_once("base_test.py", package); });
  for (auto& [dir, modules] : dirs) {
    // A directory of the user's that happens to bear a schema's name is
    // not taken over.
    std::string init_path = package + "/" + dir + "/__init__.py";
    if (auto init = read_if_exists(root / init_path);
        init && !is_generated_init(*init)) {
      plan.errors.push_back(init_path +
                            ": this directory is yours (its "
                            "__init__.py is not git-hop's) but a schema "
                            "needs it for its modules");
      continue;
    }
    std::sort(modules.begin(), modules.end());
    std::string dotted = package + "." + dir;
    std::replace(dotted.begin(), dotted.end(), '/', '.');
    output(package + "/" + dir + "/__init__.py",
           render_schema_init("the package " + dotted, modules));
  }

  // Files of earlier generations that this one does not produce.
  std::error_code ec;
  if (fs::is_directory(pkg_dir, ec)) {
    std::vector<fs::path> candidates;
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
        candidates.push_back(it->path());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    for (const auto& file : candidates) {
      std::string rel_path = fs::relative(file, root).generic_string();
      if (outputs.count(rel_path) || written_once.count(rel_path)) {
        continue;
      }
      // Only directories git-hop made (their __init__.py says so).
      auto init = read_if_exists(file.parent_path() / "__init__.py");
      if (!init || !is_generated_init(*init)) {
        continue;
      }
      std::string text = read_file(file);
      std::string name = file.filename().string();
      bool stub = name.size() > 8 && name.substr(name.size() - 8) == "_test.py";
      bool ours = false;
      if (name == "__init__.py") {
        ours = true;
      } else if (stub) {
        std::string module = rel_path.substr(0, rel_path.size() - 8) + ".py";
        ours =
            text == render_test_stub(package, names_from_path(package, module));
      } else {
        ours = is_generated(text);
      }
      if (ours) {
        plan.changes.push_back({rel_path, true, ""});
      } else {
        plan.warnings.push_back(rel_path +
                                ": its relation is gone but the file "
                                "is not git-hop's; left alone");
      }
    }
  }

  for (auto& [rel_path, content] : outputs) {
    auto existing = read_if_exists(root / rel_path);
    if (existing && *existing == content) {
      ++plan.unchanged;
      continue;
    }
    plan.changes.push_back({rel_path, false, std::move(content)});
  }
  std::sort(plan.changes.begin(), plan.changes.end(),
            [](const Change& a, const Change& b) { return a.path < b.path; });
  return plan;
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
    fs::path tmp = path;
    tmp += ".hop-tmp";
    write_file(tmp, change.content);
    fs::rename(tmp, path);
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
    auto now = std::chrono::steady_clock::now();
    char buf[32];
    std::snprintf(
        buf, sizeof buf, " (%.1f ms)",
        std::chrono::duration<double, std::milli>(now - start).count());
    output::trace("codegen: " + what + buf);
    start = now;
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
