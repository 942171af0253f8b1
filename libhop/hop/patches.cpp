#include "patches.hpp"

#include "error.hpp"
#include "git/repository.hpp"
#include "sha256.hpp"
#include "templates.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

namespace hop::patches {

namespace fs = std::filesystem;

namespace {

std::string at(const std::string& origin, const toml::source_region& src)
{
  return origin + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}

// [scripts."<name>"] tables of release.toml: per-script options.
void read_script_options(const toml::node& node, const std::string& origin,
                         Release& r)
{
  const toml::table* scripts = node.as_table();
  if (!scripts) {
    throw fatal(at(origin, node.source()) +
                ": 'scripts' must be a table of tables, e.g. "
                "[scripts.\"20_index.sql\"]");
  }
  for (const auto& [name, options] : *scripts) {
    auto it = std::find_if(r.scripts.begin(), r.scripts.end(),
                           [&](const Script& s) { return s.name == name.str(); });
    if (it == r.scripts.end()) {
      throw fatal(at(origin, name.source()) + ": [scripts.\"" +
                  std::string(name.str()) +
                  "\"] names no script of the release");
    }
    const toml::table* t = options.as_table();
    if (!t) {
      throw fatal(at(origin, options.source()) + ": scripts.\"" +
                  std::string(name.str()) + "\" must be a table");
    }
    for (const auto& [key, value] : *t) {
      if (key.str() != "transaction") {
        r.warnings.push_back(at(origin, key.source()) + ": unknown key '" +
                             std::string(key.str()) + "'");
        continue;
      }
      if (!value.is_boolean()) {
        throw fatal(at(origin, value.source()) +
                    ": 'transaction' must be true or false");
      }
      if (it->kind != Kind::sql && !*value.value<bool>()) {
        throw fatal(at(origin, value.source()) + ": '" + it->name +
                    "' is a .py script: 'transaction' is for .sql scripts");
      }
      it->transaction = *value.value<bool>();
    }
  }
}

} // namespace

Release from_files(const Version& version, const Files& files)
{
  Release r;
  r.version = version;
  std::string dir = version.patch_dir();
  const std::string* toml_text = nullptr;
  for (const auto& [name, content] : files) {
    if (name == "release.toml") {
      toml_text = &content;
      continue;
    }
    Script s;
    // A script has a name before its extension (".sql" alone is not one).
    if (name.size() > 4 && name.ends_with(".sql")) {
      s.kind = Kind::sql;
    } else if (name.size() > 3 && name.ends_with(".py")) {
      s.kind = Kind::py;
    } else {
      continue;
    }
    s.name = name;
    s.path = dir + "/" + name;
    s.content = content;
    s.sha256 = sha256_hex(content);
    r.scripts.push_back(std::move(s));
  }
  std::sort(r.scripts.begin(), r.scripts.end(),
            [](const Script& a, const Script& b) { return a.name < b.name; });
  std::string origin = dir + "/release.toml";
  if (!toml_text) {
    throw fatal("'" + origin + "' is missing")
        .detail("Each release folder holds a release.toml with its message.")
        .hint("Create it with: message = \"<what the release does>\"");
  }
  try {
    toml::table t = toml::parse(*toml_text, origin);
    for (const auto& [key, node] : t) {
      if (key.str() == "message") {
        if (!node.is_string()) {
          throw fatal(origin + ":" + std::to_string(node.source().begin.line) +
                      ":" + std::to_string(node.source().begin.column) +
                      ": 'message' must be a string");
        }
        r.message = *node.value<std::string>();
      } else if (key.str() == "scripts") {
        read_script_options(node, origin, r);
      } else {
        r.warnings.push_back(origin + ":" +
                             std::to_string(key.source().begin.line) + ":" +
                             std::to_string(key.source().begin.column) +
                             ": unknown key '" + std::string(key.str()) + "'");
      }
    }
  } catch (const toml::parse_error& e) {
    throw fatal(origin + ":" + std::to_string(e.source().begin.line) + ":" +
                std::to_string(e.source().begin.column) + ": " +
                std::string(e.description()));
  }
  return r;
}

Release read_worktree(const fs::path& root, const Version& version)
{
  Files files;
  fs::path dir = root / version.patch_dir();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw fatal("'" + version.patch_dir() + "' is missing")
        .hint("Run 'git hop prepare' to start a release.");
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files.emplace_back(entry.path().filename().string(),
                         read_file(entry.path()));
    }
  }
  return from_files(version, files);
}

Release read_tree(const git::Repository& repo, const std::string& refish,
                  const Version& version)
{
  return from_files(version, repo.read_dir(refish, version.patch_dir()));
}

Release read_index(const git::Repository& repo, const Version& version)
{
  return from_files(version, repo.read_index_dir(version.patch_dir()));
}

std::string render_release_toml(const std::string& message)
{
  std::ostringstream os;
  os << "# The release's changelog line; scripts (*.sql, *.py) run in name "
        "order.\n"
     << "message = " << toml::value<std::string>(message) << "\n";
  return os.str();
}

} // namespace hop::patches
