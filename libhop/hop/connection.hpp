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
//
// The file is read as half_orm reads it, with Python's configparser
// (strict): a duplicated key or section, a key before any section, a
// continuation line, a bad %-interpolation is a fatal error naming the file
// and line. Only a file that does not exist is absent: one that exists but
// cannot be read (permissions, a directory, a FIFO, a dangling link...) is a
// fatal error, never a reason to guess the database.
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
// Fatal without a non-empty 'name' in [database].
ConnectionSettings parse_connection_file(std::string_view text,
                                         const std::string& origin);

// The text of the connection file `path`; nullopt when it does not exist
// (ENOENT, and not a dangling link). Fatal when it exists but cannot be
// read as a regular file.
std::optional<std::string>
read_connection_file(const std::filesystem::path& path);

// The settings of `package`: its connection file when there is one, else
// only the database name (= the package name) and libpq's defaults.
ConnectionSettings load_connection(const std::string& package);

// The text of a connection file for `settings` (never a password unless
// the settings hold one).
std::string render_connection_file(const ConnectionSettings& settings);

// Parse a boolean the way Python's configparser does.
std::optional<bool> parse_ini_bool(std::string_view text);

} // namespace hop
