#include "connection.hpp"

#include "error.hpp"
#include "templates.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace hop {

namespace {

std::string lower(std::string s)
{
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return s;
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
  ConnectionSettings s;
  std::string section;
  std::istringstream in{std::string(text)};
  std::string raw;
  int lineno = 0;
  bool seen_database = false;
  while (std::getline(in, raw)) {
    ++lineno;
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') {
      continue;
    }
    if (line[0] == '[') {
      if (line.back() != ']') {
        throw fatal(origin + ":" + std::to_string(lineno) +
                    ": malformed section header '" + line + "'");
      }
      section = trim(std::string_view(line).substr(1, line.size() - 2));
      seen_database = seen_database || section == "database";
      continue;
    }
    size_t sep = line.find_first_of("=:");
    if (sep == std::string::npos) {
      throw fatal(origin + ":" + std::to_string(lineno) +
                  ": expected 'key = value', found '" + line + "'");
    }
    if (section != "database") {
      continue;
    }
    std::string key = lower(trim(std::string_view(line).substr(0, sep)));
    std::string value = trim(std::string_view(line).substr(sep + 1));
    if (key == "name") {
      s.name = value;
    } else if (key == "user") {
      s.user = value;
    } else if (key == "password") {
      s.password = value;
    } else if (key == "host") {
      s.host = value;
    } else if (key == "port") {
      s.port = value;
    } else if (key == "production") {
      auto b = parse_ini_bool(value);
      if (!b) {
        throw fatal(origin + ":" + std::to_string(lineno) +
                    ": 'production' must be True or False, not '" + value +
                    "'");
      }
      s.production = *b;
    }
  }
  if (!seen_database) {
    throw fatal(origin + ": no [database] section")
        .hint("A half_orm connection file starts with '[database]' followed by "
              "'name = <database>'.");
  }
  // Empty values mean "unset" (local socket, default port...).
  for (auto* opt : {&s.name, &s.user, &s.password, &s.host, &s.port}) {
    if (*opt && (*opt)->empty()) {
      opt->reset();
    }
  }
  return s;
}

ConnectionSettings load_connection(const std::string& package)
{
  auto path = halform_conf_dir() / package;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ConnectionSettings s;
    s.name = package;
    return s;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  ConnectionSettings s = parse_connection_file(ss.str(), path.string());
  if (!s.name) {
    s.name = package;
  }
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
