#include "templates.hpp"

#include "error.hpp"
#include "util/file.hpp"

#include <hop/build_info.hpp>

#include <toml++/toml.h>

#include <cstdlib>
#include <sstream>

namespace hop {

namespace fs = std::filesystem;

fs::path datadir()
{
  static const fs::path dir = [] {
    const char* env = std::getenv("GIT_HOP_DATADIR");
    if (env && *env) {
      return fs::path(env);
    }
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
      fs::path near = exe.parent_path().parent_path() / "share" / "git-hop";
      if (fs::is_directory(near / "templates", ec)) {
        return near;
      }
    }
    return fs::path(HOP_DATADIR);
  }();
  return dir;
}

std::string read_template(const std::string& relative)
{
  // Code generation renders the same few templates once per relation.
  static std::map<std::string, std::string> cache;
  auto it = cache.find(relative);
  if (it == cache.end()) {
    it = cache.emplace(relative, read_data("templates/" + relative)).first;
  }
  return it->second;
}

namespace {

toml::table substituted(const toml::table& table,
                        const std::map<std::string, std::string>& vars);

toml::array substituted(const toml::array& array,
                        const std::map<std::string, std::string>& vars);

// A copy of `node` with @KEY@ replaced in its keys and strings.
template <typename Add>
void add_substituted(const toml::node& node,
                     const std::map<std::string, std::string>& vars, Add add)
{
  if (const auto* t = node.as_table()) {
    add(substituted(*t, vars));
  } else if (const auto* a = node.as_array()) {
    add(substituted(*a, vars));
  } else if (const auto* str = node.as_string()) {
    add(substitute(str->get(), vars));
  } else {
    node.visit([&](const auto& value) { add(value); });
  }
}

toml::table substituted(const toml::table& table,
                        const std::map<std::string, std::string>& vars)
{
  toml::table out;
  out.is_inline(table.is_inline());
  for (const auto& [key, value] : table) {
    std::string name = substitute(key.str(), vars);
    add_substituted(value, vars, [&](auto&& v) {
      out.insert_or_assign(name, std::move(v));
    });
  }
  return out;
}

toml::array substituted(const toml::array& array,
                        const std::map<std::string, std::string>& vars)
{
  toml::array out;
  for (const auto& value : array) {
    add_substituted(value, vars,
                    [&](auto&& v) { out.push_back(std::move(v)); });
  }
  return out;
}

} // namespace

std::string substitute_toml(std::string_view text,
                            const std::map<std::string, std::string>& vars,
                            const std::string& origin)
{
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw fatal("git-hop's template '" + origin + "' is not valid TOML")
        .detail(std::string(e.description()));
  }
  toml::table out = substituted(table, vars);
  std::ostringstream os;
  os << toml::toml_formatter(out, toml::toml_formatter::default_flags &
                                      ~toml::format_flags::indentation)
     << "\n";
  return os.str();
}

std::string read_data(const std::string& relative)
{
  fs::path path = datadir() / relative;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw fatal("git-hop's file '" + relative + "' is missing")
        .detail("looked for " + path.string())
        .hint(
            "Reinstall git-hop, or point GIT_HOP_DATADIR at its share/git-hop "
            "directory.");
  }
  return util::read_file(path);
}

std::string substitute(std::string_view text,
                       const std::map<std::string, std::string>& vars)
{
  // One pass: a value is never scanned for tokens again.
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t at = text.find('@', pos);
    if (at == std::string_view::npos) {
      break;
    }
    size_t close = text.find('@', at + 1);
    if (close == std::string_view::npos) {
      break;
    }
    auto it = vars.find(std::string(text.substr(at + 1, close - at - 1)));
    if (it == vars.end()) {
      out.append(text.substr(pos, at + 1 - pos));
      pos = at + 1;
      continue;
    }
    out.append(text.substr(pos, at - pos));
    out += it->second;
    pos = close + 1;
  }
  out.append(text.substr(pos));
  return out;
}

} // namespace hop
