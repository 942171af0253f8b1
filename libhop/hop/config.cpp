#include "config.hpp"

#include "error.hpp"

#include <hop/codegen/naming.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace hop {

namespace {

std::string where(const std::string& origin, const toml::source_region& src)
{
  return origin + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}

[[noreturn]] void type_error(const std::string& origin, const toml::node& node,
                             const std::string& key, const std::string& want)
{
  throw fatal(where(origin, node.source()) + ": '" + key + "' must be " + want)
      .hint("See 'man 5 git-hop-config' for the keys and their types.");
}

bool get_bool(const std::string& origin, const toml::node& node,
              const std::string& key)
{
  if (auto v = node.value<bool>(); v && node.is_boolean()) {
    return *v;
  }
  type_error(origin, node, key, "a boolean (true or false)");
}

std::string get_string(const std::string& origin, const toml::node& node,
                       const std::string& key)
{
  if (node.is_string()) {
    return *node.value<std::string>();
  }
  type_error(origin, node, key, "a string");
}

long long get_count(const std::string& origin, const toml::node& node,
                    const std::string& key)
{
  if (auto v = node.value<long long>(); v && node.is_integer() && *v >= 0) {
    return *v;
  }
  type_error(origin, node, key, "a non-negative integer");
}

// A duration as PostgreSQL's settings take it: "5s", "500ms", "2min" (or
// a bare number of milliseconds). Returns milliseconds.
long long get_duration(const std::string& origin, const toml::node& node,
                       const std::string& key)
{
  if (node.is_integer()) {
    return get_count(origin, node, key);
  }
  std::string s = node.is_string() ? *node.value<std::string>() : "";
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
    ++digits;
  }
  std::string unit = s.substr(digits);
  long long factor = unit == "ms" || unit.empty() ? 1
                     : unit == "s"                ? 1000
                     : unit == "min"              ? 60000
                                                  : 0;
  if (digits == 0 || digits > 9 || factor == 0) {
    type_error(origin, node, key,
               "a duration such as \"5s\", \"500ms\" or \"1min\"");
  }
  return std::stoll(s.substr(0, digits)) * factor;
}

using Handler = void (*)(Config&, const std::string&, const toml::node&,
                         const std::string&);

struct KeySpec
{
  const char* table;
  const char* key;
  Handler handle;
};

const std::array<KeySpec, 13> k_keys = {{
    {"project", "name",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       c.project.name = get_string(o, n, k);
       if (!codegen::valid_package_name(c.project.name)) {
         throw fatal(where(o, n.source()) + ": '" + k + "' = '" +
                     c.project.name + "' is not a valid package name")
             .detail("A package name is a Python identifier (letters, digits, "
                     "'_') that is not a keyword.");
       }
     }},
    {"project", "hop_version",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       auto s = get_string(o, n, k);
       auto v = Version::parse(s);
       if (!v) {
         throw fatal(where(o, n.source()) + ": '" + k + "' = '" + s +
                     "' is not a version X.Y.Z");
       }
       c.project.hop_version = v;
     }},
    {"project", "devel",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) { c.project.devel = get_bool(o, n, k); }},
    {"python", "package",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) { c.python.package = get_bool(o, n, k); }},
    {"python", "interpreter",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       auto s = get_string(o, n, k);
       if (s.empty()) {
         throw fatal(where(o, n.source()) + ": '" + k + "' must not be empty");
       }
       c.python.interpreter = s;
     }},
    {"test", "command",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       const toml::array* arr = n.as_array();
       if (!arr || arr->empty()) {
         type_error(o, n, k, "a non-empty array of strings");
       }
       std::vector<std::string> argv;
       for (const auto& item : *arr) {
         if (!item.is_string()) {
           type_error(o, item, k, "a non-empty array of strings");
         }
         argv.push_back(*item.value<std::string>());
       }
       c.test.command = std::move(argv);
     }},
    {"hooks", "pre_commit",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) { c.hooks.pre_commit = get_bool(o, n, k); }},
    {"hooks", "pre_push",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) { c.hooks.pre_push = get_bool(o, n, k); }},
    {"deploy", "lock_timeout",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       c.deploy.lock_timeout_ms = get_duration(o, n, k);
     }},
    {"deploy", "lock_retries",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       c.deploy.lock_retries =
           static_cast<int>(std::min<long long>(get_count(o, n, k), 1000));
     }},
    {"deploy", "lock_wait",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       c.deploy.lock_wait_ms = get_duration(o, n, k);
     }},
    {"deploy", "warn_rows",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) { c.deploy.warn_rows = get_count(o, n, k); }},
    {"deploy", "max_locked_rows",
     [](Config& c, const std::string& o, const toml::node& n,
        const std::string& k) {
       c.deploy.max_locked_rows = get_count(o, n, k);
     }},
}};

bool known_table(std::string_view name)
{
  for (const auto& spec : k_keys) {
    if (name == spec.table) {
      return true;
    }
  }
  return false;
}

std::string toml_string(const std::string& s)
{
  std::ostringstream os;
  os << toml::value<std::string>(s);
  return os.str();
}

// (line, column) of a "origin:line:col: ..." message.
std::pair<long, long> position_of(const std::string& message,
                                  const std::string& origin)
{
  const char* p = message.c_str() + origin.size() + 1;
  char* end = nullptr;
  long line = std::strtol(p, &end, 10);
  long col = *end == ':' ? std::strtol(end + 1, nullptr, 10) : 0;
  return {line, col};
}

} // namespace

Config parse_config(std::string_view text, const std::string& origin)
{
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw fatal(where(origin, e.source()) + ": " + std::string(e.description()))
        .hint("Fix the TOML syntax of the file; see 'man 5 git-hop-config'.");
  }

  Config config;
  for (const auto& [table_key, table_node] : root) {
    std::string table_name(table_key.str());
    if (!known_table(table_name)) {
      config.warnings.push_back(where(origin, table_key.source()) +
                                ": unknown key '" + table_name + "'");
      continue;
    }
    const toml::table* table = table_node.as_table();
    if (!table) {
      type_error(origin, table_node, table_name, "a table");
    }
    for (const auto& [key, node] : *table) {
      std::string full = table_name + "." + std::string(key.str());
      const KeySpec* spec = nullptr;
      for (const auto& s : k_keys) {
        if (table_name == s.table && key.str() == s.key) {
          spec = &s;
        }
      }
      if (!spec) {
        config.warnings.push_back(where(origin, key.source()) +
                                  ": unknown key '" + full + "'");
        continue;
      }
      spec->handle(config, origin, node, full);
    }
  }
  // toml++ iterates tables by key: report in file order.
  std::stable_sort(config.warnings.begin(), config.warnings.end(),
                   [&](const std::string& a, const std::string& b) {
                     return position_of(a, origin) < position_of(b, origin);
                   });
  if (config.project.name.empty()) {
    throw fatal(origin + ": missing key 'project.name'")
        .hint("Add 'name = \"<package>\"' under [project].");
  }
  return config;
}

Config load_config(const std::filesystem::path& file,
                   const std::string& display_name)
{
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw fatal("cannot read '" + display_name + "'");
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), display_name);
}

std::string render_config(const Config& c)
{
  std::ostringstream os;
  os << "# git-hop project configuration; see 'man 5 git-hop-config'.\n"
     << "[project]\n"
     << "name = " << toml_string(c.project.name) << "\n";
  if (c.project.hop_version) {
    os << "hop_version = " << toml_string(c.project.hop_version->str()) << "\n";
  }
  os << "devel = " << (c.project.devel ? "true" : "false") << "\n"
     << "\n[python]\n"
     << "package = " << (c.python.package ? "true" : "false") << "\n";
  if (c.python.interpreter) {
    os << "interpreter = " << toml_string(*c.python.interpreter) << "\n";
  } else {
    os << "# interpreter = \"python3\"  # default: python3 if it can import "
          "pytest, else /usr/bin/python3\n";
  }
  os << "\n[test]\n";
  if (c.test.command) {
    os << "command = [";
    for (size_t i = 0; i < c.test.command->size(); ++i) {
      os << (i ? ", " : "") << toml_string((*c.test.command)[i]);
    }
    os << "]\n";
  } else {
    os << "# command = [\"python3\", \"-m\", \"pytest\", \"-q\", \"-p\", "
          "\"no:cacheprovider\"]\n";
  }
  os << "\n[hooks]\n"
     << "pre_commit = " << (c.hooks.pre_commit ? "true" : "false") << "\n"
     << "pre_push = " << (c.hooks.pre_push ? "true" : "false") << "\n";
  return os.str();
}

void check_hop_version(const Config& config, const Version& running,
                       const std::string& origin)
{
  if (config.project.hop_version && *config.project.hop_version > running) {
    throw fatal("this project needs git-hop " +
                config.project.hop_version->str() + " or newer")
        .detail(origin + " was written by git-hop " +
                config.project.hop_version->str() + "; this is git-hop " +
                running.str() + ".")
        .hint("Install a newer git-hop.");
  }
}

} // namespace hop
