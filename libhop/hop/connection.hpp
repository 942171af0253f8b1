// Where the database is. half_orm's connection file
// $HALFORM_CONF_DIR/<package> (default directory /etc/half_orm), INI:
//
//   [database]
//   name = blog
//   user = ...       host = ...      port = ...
//   password = ...   production = False
//
// Whatever it leaves unset comes from libpq's own environment (PGHOST,
// PGUSER, service files, .pgpass...).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hop {

struct ConnectionSettings
{
  std::optional<std::string> name;
  std::optional<std::string> user;
  std::optional<std::string> password;
  std::optional<std::string> host;
  std::optional<std::string> port;
  bool production = false;
  // The connection file these came from, if any.
  std::optional<std::filesystem::path> file;

  // libpq keywords -> values (dbname, user, password, host, port).
  std::map<std::string, std::string> keywords() const;
  // PG* variables for a child process (PGDATABASE, PGPASSWORD...).
  std::map<std::string, std::string> environment() const;
};

// $HALFORM_CONF_DIR, or /etc/half_orm.
std::filesystem::path halform_conf_dir();

// Parse the text of a connection file; `origin` names it in messages.
ConnectionSettings parse_connection_file(std::string_view text,
                                         const std::string& origin);

// The settings of `package`: its connection file when there is one, else
// only the database name (= the package name) and libpq's defaults.
ConnectionSettings load_connection(const std::string& package);

// The text of a connection file for `settings` (never a password unless
// the settings hold one).
std::string render_connection_file(const ConnectionSettings& settings);

// Parse a boolean the way Python's configparser does.
std::optional<bool> parse_ini_bool(std::string_view text);

} // namespace hop
