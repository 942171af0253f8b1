#include "connection.hpp"

#include "error.hpp"
#include "util/file.hpp"
#include "util/string.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace hop {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
}

// One key of the file: its raw value and where it is.
struct Entry
{
  std::string value;
  int line = 0;
};
using Section = std::map<std::string, Entry>;

// A connection file read the way half_orm reads it: Python's
// configparser.ConfigParser with its defaults (strict, '=' or ':', full-line
// '#'/';' comments only, keys in lower case, [DEFAULT] inherited, %-style
// interpolation). What configparser refuses, or would read differently
// from a simple key = value reading (a continuation line), is an error.
class IniFile {
public:
  IniFile(std::string_view text, const std::string& origin);

  bool has_section(const std::string& name) const
  {
    return m_sections.count(name) != 0;
  }
  // The interpolated value of `key` in `section` (or [DEFAULT]), and its
  // line.
  std::optional<Entry> get(const std::string& section,
                           const std::string& key) const;

private:
  Section* start_section(const std::string& line, int lineno,
                         std::string& name);
  void add_key(Section& section, const std::string& section_name,
               const std::string& line, int lineno);
  const Entry* find(const std::string& section, const std::string& key) const;
  void interpolate(const std::string& section, const std::string& key,
                   std::string_view raw, int line, int depth,
                   std::string& out) const;
  Error at(int line, const std::string& what) const
  {
    return fatal(m_origin + ":" + std::to_string(line) + ": " + what);
  }

  std::string m_origin;
  std::map<std::string, Section> m_sections;
  Section m_defaults;
};

// `text` with universal newlines, as Python reads a text file.
std::string universal_newlines(std::string_view text)
{
  std::string all;
  all.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') {
      all += text[i];
      continue;
    }
    all += '\n';
    if (i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
    }
  }
  return all;
}

Section* IniFile::start_section(const std::string& line, int lineno,
                                std::string& name)
{
  size_t close = line.rfind(']');
  if (close == std::string::npos || close < 2) {
    throw at(lineno, "malformed section header '" + line + "'");
  }
  name = line.substr(1, close - 1);
  if (name == "DEFAULT") {
    return &m_defaults;
  }
  auto [it, added] = m_sections.try_emplace(name);
  if (!added) {
    throw at(lineno, "duplicate section [" + name + "]");
  }
  return &it->second;
}

void IniFile::add_key(Section& section, const std::string& section_name,
                      const std::string& line, int lineno)
{
  size_t sep = line.find_first_of("=:");
  if (sep == std::string::npos) {
    throw at(lineno, "expected 'key = value', found '" + line + "'");
  }
  std::string key = lower(util::trim(std::string_view(line).substr(0, sep)));
  if (key.empty()) {
    throw at(lineno,
             "no key before '" + line.substr(sep, 1) + "' in '" + line + "'");
  }
  Entry entry{util::trim(std::string_view(line).substr(sep + 1)), lineno};
  auto [it, added] = section.try_emplace(key, entry);
  if (!added) {
    throw at(lineno,
             "duplicate key '" + key + "' in section [" + section_name + "]")
        .detail("It is already set on line " + std::to_string(it->second.line) +
                ".");
  }
}

IniFile::IniFile(std::string_view text, const std::string& origin)
    : m_origin(origin)
{
  std::string all = universal_newlines(text);
  Section* current = nullptr;
  std::string current_name;
  bool in_option = false;  // a key was read since the last header
  size_t indent_level = 0; // of the last header or key line
  std::istringstream in(all);
  std::string raw;
  int lineno = 0;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = util::trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      continue; // blank lines and comments do not end a value
    }
    size_t indent = raw.find_first_not_of(" \t\f\v");
    if (current && in_option && indent > indent_level) {
      throw at(lineno, "'" + line + "' is a continuation line")
          .detail("An indented line continues the value above it (for "
                  "half_orm's configparser), it is not a key of its own.")
          .hint("Remove the indentation, or write the value on one line.");
    }
    indent_level = indent;
    if (line[0] == '[') {
      current = start_section(line, lineno, current_name);
      in_option = false;
      continue;
    }
    if (!current) {
      throw at(lineno, "'" + line + "' comes before any section header")
          .hint("A half_orm connection file starts with '[database]'.");
    }
    add_key(*current, current_name, line, lineno);
    in_option = true;
  }
}

const Entry* IniFile::find(const std::string& section,
                           const std::string& key) const
{
  auto s = m_sections.find(section);
  if (s != m_sections.end()) {
    auto k = s->second.find(key);
    if (k != s->second.end()) {
      return &k->second;
    }
  }
  auto d = m_defaults.find(key);
  return d != m_defaults.end() ? &d->second : nullptr;
}

std::optional<Entry> IniFile::get(const std::string& section,
                                  const std::string& key) const
{
  const Entry* e = find(section, key);
  if (!e) {
    return std::nullopt;
  }
  Entry out{"", e->line};
  interpolate(section, key, e->value, e->line, 1, out.value);
  return out;
}

// configparser's BasicInterpolation: "%%" is "%", "%(key)s" the value of
// key in the same section; any other '%' is an error.
void IniFile::interpolate(const std::string& section, const std::string& key,
                          std::string_view raw, int line, int depth,
                          std::string& out) const
{
  constexpr int k_max_depth = 10; // configparser.MAX_INTERPOLATION_DEPTH
  if (depth > k_max_depth) {
    throw at(line, "the value of '" + key + "' refers to itself (%(...)s " +
                       "nested more than 10 deep)");
  }
  while (!raw.empty()) {
    size_t p = raw.find('%');
    out.append(raw.substr(0, p));
    if (p == std::string_view::npos) {
      return;
    }
    raw.remove_prefix(p);
    if (raw.size() > 1 && raw[1] == '%') {
      out += '%';
      raw.remove_prefix(2);
      continue;
    }
    size_t close = raw.find(")s");
    if (raw.size() < 2 || raw[1] != '(' || close == std::string_view::npos ||
        close == 2 || raw.substr(2, close - 2).find(')') != std::string::npos) {
      throw at(line, "'%' in the value of '" + key +
                         "' must be followed by '%' or '(name)s'")
          .detail("half_orm reads the file with Python's configparser, which "
                  "expands %(name)s and reads '%%' as '%'.")
          .hint("Write '%%' for a '%' in the value.");
    }
    std::string ref = lower(std::string(raw.substr(2, close - 2)));
    raw.remove_prefix(close + 2);
    const Entry* e = find(section, ref);
    if (!e) {
      throw at(line, "the value of '" + key + "' refers to '%(" + ref +
                         ")s', which is not set");
    }
    if (e->value.find('%') == std::string::npos) {
      out += e->value;
    } else {
      interpolate(section, key, e->value, line, depth + 1, out);
    }
  }
}

} // namespace

std::optional<bool> parse_ini_bool(std::string_view text)
{
  std::string v = lower(std::string(text));
  if (v == "1" || v == "yes" || v == "true" || v == "on") {
    return true;
  }
  if (v == "0" || v == "no" || v == "false" || v == "off") {
    return false;
  }
  return std::nullopt;
}

std::map<std::string, std::string> ConnectionSettings::keywords() const
{
  std::map<std::string, std::string> k;
  if (name) {
    k["dbname"] = *name;
  }
  if (user) {
    k["user"] = *user;
  }
  if (password) {
    k["password"] = *password;
  }
  if (host) {
    k["host"] = *host;
  }
  if (port) {
    k["port"] = *port;
  }
  return k;
}

std::map<std::string, std::string> ConnectionSettings::environment() const
{
  std::map<std::string, std::string> env;
  if (name) {
    env["PGDATABASE"] = *name;
  }
  if (user) {
    env["PGUSER"] = *user;
  }
  if (password) {
    env["PGPASSWORD"] = *password;
  }
  if (host) {
    env["PGHOST"] = *host;
  }
  if (port) {
    env["PGPORT"] = *port;
  }
  return env;
}

std::filesystem::path halform_conf_dir()
{
  const char* dir = std::getenv("HALFORM_CONF_DIR");
  if (dir && *dir) {
    return dir;
  }
  return "/etc/half_orm";
}

ConnectionSettings parse_connection_file(std::string_view text,
                                         const std::string& origin)
{
  IniFile ini(text, origin);
  if (!ini.has_section("database")) {
    throw fatal(origin + ": no [database] section")
        .hint("A half_orm connection file starts with '[database]' followed by "
              "'name = <database>'.");
  }
  auto value = [&](const char* key) -> std::optional<std::string> {
    auto e = ini.get("database", key);
    return e ? std::optional<std::string>(e->value) : std::nullopt;
  };
  ConnectionSettings s;
  s.name = value("name");
  if (!s.name) {
    throw fatal(origin + ": no 'name' in [database]")
        .detail("half_orm refuses a connection file without the database "
                "name; git-hop does not guess it either.")
        .hint("Add 'name = <database>' under '[database]'.");
  }
  if (s.name->empty()) {
    throw fatal(origin + ": 'name' is empty")
        .hint("Write the database's name: 'name = <database>'.");
  }
  s.user = value("user");
  s.password = value("password");
  s.host = value("host");
  s.port = value("port");
  if (auto production = ini.get("database", "production")) {
    auto b = parse_ini_bool(production->value);
    if (!b) {
      throw fatal(origin + ":" + std::to_string(production->line) +
                  ": 'production' must be True or False, not '" +
                  production->value + "'");
    }
    s.production = *b;
  }
  // Empty values mean "unset" (local socket, default port...), as for
  // libpq.
  for (auto* opt : {&s.user, &s.password, &s.host, &s.port}) {
    if (*opt && (*opt)->empty()) {
      opt->reset();
    }
  }
  return s;
}

namespace {

std::string describe_type(mode_t mode)
{
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  return "not a regular file";
}

Error unreadable(const fs::path& path, const std::string& why)
{
  return fatal("cannot read the connection file '" + path.string() + "'")
      .detail(why)
      .detail("git-hop never takes a connection file that it cannot read for "
              "a missing one: that would guess the database.")
      .hint("Make it a file you can read, or remove it to use the database "
            "named like the package.");
}

} // namespace

std::optional<std::string> read_connection_file(const fs::path& path)
{
  // O_NONBLOCK: opening a FIFO must not wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    struct stat st;
    fs::path dir = path.parent_path();
    if (err == ENOTDIR) {
      // The directory itself is a file: a mistake, not an absence. A
      // directory that cannot exist (under a file) is absent.
      if (::stat(dir.c_str(), &st) == 0) {
        throw unreadable(path, "'" + dir.string() + "' is not a directory.");
      }
      err = errno == ENOTDIR ? ENOENT : errno;
    }
    if (err != ENOENT) {
      throw unreadable(path, std::strerror(err));
    }
    if (::lstat(path.c_str(), &st) == 0) {
      throw unreadable(path, "It is a symbolic link to a file that does not "
                             "exist.");
    }
    if (::lstat(dir.c_str(), &st) == 0 && ::stat(dir.c_str(), &st) != 0) {
      throw unreadable(path, "Its directory '" + dir.string() +
                                 "' is a symbolic link to nothing.");
    }
    return std::nullopt; // really absent
  }
  util::CloseFd closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    throw unreadable(path, std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw unreadable(path,
                     "It is " + describe_type(st.st_mode) + ", not a file.");
  }
  std::string text;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw unreadable(path, std::strerror(errno));
    }
    if (n == 0) {
      break;
    }
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

ConnectionSettings load_connection(const std::string& package)
{
  auto path = halform_conf_dir() / package;
  auto text = read_connection_file(path);
  if (!text) {
    ConnectionSettings s;
    s.name = package;
    return s;
  }
  ConnectionSettings s = parse_connection_file(*text, path.string());
  s.file = path;
  return s;
}

std::string render_connection_file(const ConnectionSettings& s)
{
  std::ostringstream os;
  os << "[database]\n";
  if (s.name) {
    os << "name = " << *s.name << "\n";
  }
  if (s.user) {
    os << "user = " << *s.user << "\n";
  }
  if (s.password) {
    os << "password = " << *s.password << "\n";
  }
  if (s.host) {
    os << "host = " << *s.host << "\n";
  }
  if (s.port) {
    os << "port = " << *s.port << "\n";
  }
  os << "production = " << (s.production ? "True" : "False") << "\n";
  return os.str();
}

} // namespace hop
