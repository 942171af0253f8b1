#include "backup.hpp"

#include "../cleanup.hpp"
#include "../error.hpp"
#include "../output.hpp"
#include "../process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <tuple>

namespace hop::deploy {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_suffix = ".dump";

std::string utc_stamp()
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

void fsync_path(const fs::path& path, bool directory)
{
  int fd = ::open(path.c_str(),
                  (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    throw fatal("cannot flush '" + path.string() + "' to disk")
        .detail(std::strerror(err));
  }
  ::close(fd);
}

} // namespace

std::string backup_name(const std::string& dbname,
                        const std::optional<Version>& release,
                        const std::string& taken_at)
{
  return dbname + "-" + (release ? release->str() : "untracked") + "-" +
         taken_at + k_suffix;
}

std::optional<Backup> parse_backup_name(const std::string& file,
                                        const std::string& dbname)
{
  std::string prefix = dbname + "-";
  if (file.rfind(prefix, 0) != 0 || !file.ends_with(k_suffix)) {
    return std::nullopt;
  }
  std::string rest =
      file.substr(prefix.size(), file.size() - prefix.size() -
                                     std::char_traits<char>::length(k_suffix));
  size_t dash = rest.rfind('-');
  if (dash == std::string::npos) {
    return std::nullopt;
  }
  std::string what = rest.substr(0, dash);
  std::string when = rest.substr(dash + 1);
  // 20261201T193000Z, maybe with a ".N" when two were taken in one second
  if (when.size() < 16 || when[8] != 'T' || when[15] != 'Z') {
    return std::nullopt;
  }
  Backup b;
  b.dbname = dbname;
  b.taken_at = when;
  if (what != "untracked") {
    b.release = Version::parse(what);
    if (!b.release) {
      return std::nullopt;
    }
  }
  return b;
}

std::vector<Backup> list_backups(const fs::path& dir, const std::string& dbname)
{
  std::vector<Backup> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return out;
  }
  // Names give the second; two backups of one second (an upgrade --init
  // --to, then an upgrade) are ordered by their files' times.
  std::vector<std::pair<Backup, fs::file_time_type>> found;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) {
      continue;
    }
    auto b = parse_backup_name(entry.path().filename().string(), dbname);
    if (b) {
      b->path = entry.path();
      b->bytes = entry.file_size(ec);
      found.emplace_back(std::move(*b), entry.last_write_time(ec));
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.taken_at, a.second, a.first.path) <
           std::tie(b.first.taken_at, b.second, b.first.path);
  });
  out.reserve(found.size());
  for (auto& [b, time] : found) {
    out.push_back(std::move(b));
  }
  return out;
}

Backup take_backup(const ConnectionSettings& target, const fs::path& dir,
                   const std::optional<Version>& release)
{
  fs::create_directories(dir);
  cleanup::sweep(dir); // what a killed git-hop left: its partial backup
  std::string db = target.name.value_or("");
  std::string stamp = utc_stamp();
  std::string name = backup_name(db, release, stamp);
  for (int n = 2; fs::exists(dir / name); ++n) {
    name = backup_name(db, release, stamp + "." + std::to_string(n));
  }
  fs::path final_path = dir / name;
  fs::path tmp = dir / ("." + name + ".hop-tmp-" + cleanup::owner_tag());
  cleanup::Registered registered(tmp);
  process::Command cmd{{"pg_dump", "-Fc", "-f", tmp.string()}};
  cmd.env_set = target.environment();
  cmd.clean_git_env = true;
  try {
    process::run_checked(cmd, "cannot back up database '" + db + "'");
    fsync_path(tmp, false);
    fs::rename(tmp, final_path);
    fsync_path(dir, true);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  output::trace("deploy: backup " + final_path.string());
  auto b = parse_backup_name(name, db);
  b->path = final_path;
  std::error_code ec;
  b->bytes = fs::file_size(final_path, ec);
  return *b;
}

void remove_backup(const Backup& backup)
{
  std::error_code ec;
  fs::remove(backup.path, ec);
  if (!ec) {
    fsync_path(backup.path.parent_path(), true);
  }
  output::trace("deploy: removed the backup " + backup.path.string());
}

void restore_backup(const Backup& backup, const ConnectionSettings& into)
{
  // -d takes a connection string: quote the name as one (a name holding
  // '=' or a quote must not become options).
  std::string conninfo = "dbname='";
  for (char c : into.name.value_or("")) {
    if (c == '\'' || c == '\\') {
      conninfo += '\\';
    }
    conninfo += c;
  }
  conninfo += "'";
  // Owners and privileges are restored as they were: a faithful restore.
  process::Command cmd{{"pg_restore", "--exit-on-error", "--single-transaction",
                        "-d", conninfo, backup.path.string()}};
  cmd.env_set = into.environment();
  cmd.env_set.erase("PGDATABASE");
  cmd.clean_git_env = true;
  process::run_checked(cmd, "cannot restore '" + backup.path.string() + "'");
}

} // namespace hop::deploy
