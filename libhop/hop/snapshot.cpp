#include "snapshot.hpp"

#include "error.hpp"
#include "output.hpp"
#include "process.hpp"
#include "sha256.hpp"

#include <sys/random.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

namespace hop::snapshot {

namespace {

// Whether pg_dump and pg_restore know --restrict-key (>= 15.14, 16.10,
// 17.6 write "\restrict <random key>"; a fixed key keeps a dump
// byte-identical). Learned from the first run of each in the process: it
// passes the option and, refused, runs again without it. Nothing is asked
// ahead (`pg_dump --help` costs 6-28 ms a process) and nothing outlives
// the process, so a pg_dump upgraded meanwhile, or another version that
// Debian's pg_wrapper picks, is seen at once.
enum class Knows { unknown, yes, no };

std::atomic<Knows>& knows_restrict_key(std::string_view program)
{
  static std::atomic<Knows> pg_dump{Knows::unknown};
  static std::atomic<Knows> pg_restore{Knows::unknown};
  return program == "pg_restore" ? pg_restore : pg_dump;
}

// Whether `r` is a program refusing --restrict-key: its message names the
// option, in every locale.
bool refused_restrict_key(const process::Result& r)
{
  return r.signal == 0 && r.exit_code != 0 && r.out.empty() &&
         r.err.find("restrict-key") != std::string::npos;
}

// Whether psql knows \restrict: pg_dump's answer (they come together),
// asked with --help only when no dump ran yet.
bool has_restrict_key()
{
  std::atomic<Knows>& knows = knows_restrict_key("pg_dump");
  if (knows == Knows::unknown) {
    process::Command cmd{{"pg_dump", "--help"}};
    auto r = process::run(cmd);
    knows = r.ok() && r.out.find("--restrict-key") != std::string::npos
                ? Knows::yes
                : Knows::no;
  }
  return knows == Knows::yes;
}

process::Command pg_dump_command(const ConnectionSettings& settings,
                                 const std::vector<std::string>& args,
                                 const char* program, bool with_key)
{
  process::Command cmd;
  // --no-password: a server that asks for one fails the dump at once
  // (libpq's PGPASSWORD and .pgpass still apply); a prompt would stop a
  // child in its own process group on the terminal for good.
  cmd.argv = {program, "--no-password", "--no-owner", "--no-privileges",
              "--no-tablespaces"};
  if (with_key) {
    cmd.argv.emplace_back("--restrict-key=githop");
  }
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.env_set = settings.environment();
  cmd.clean_git_env = true;
  return cmd;
}

std::string run_pg_dump(const ConnectionSettings& settings,
                        const std::vector<std::string>& args,
                        const std::string& what,
                        const char* program = "pg_dump")
{
  return PendingDump(settings, args, what, program).get();
}

} // namespace

struct PendingDump::Run
{
  ConnectionSettings settings;
  std::vector<std::string> args;
  std::string what;
  const char* program;
  bool with_key;
  process::Command cmd;
  process::Background child;
};

PendingDump::PendingDump(const ConnectionSettings& settings,
                         std::vector<std::string> args, std::string what,
                         const char* program)
{
  bool with_key = knows_restrict_key(program) != Knows::no;
  process::Command cmd = pg_dump_command(settings, args, program, with_key);
  process::Background child(cmd);
  m = std::make_unique<Run>(Run{settings, std::move(args), std::move(what),
                                program, with_key, std::move(cmd),
                                std::move(child)});
}

PendingDump::PendingDump(PendingDump&&) noexcept = default;
PendingDump::~PendingDump() = default;

std::string PendingDump::get()
{
  if (!m) {
    HOP_BUG("snapshot::PendingDump read twice");
  }
  std::unique_ptr<Run> run = std::move(m);
  std::atomic<Knows>& knows = knows_restrict_key(run->program);
  process::Result r = run->child.wait();
  process::Command cmd = std::move(run->cmd);
  if (run->with_key && refused_restrict_key(r)) {
    knows = Knows::no;
    cmd = pg_dump_command(run->settings, run->args, run->program, false);
    r = process::run(cmd);
  } else if (run->with_key && r.ok()) {
    knows = Knows::yes;
  }
  process::check(cmd, r, run->what);
  return normalize(r.out);
}

PendingDump start_dump_schema(const ConnectionSettings& settings)
{
  return {settings,
          {"--schema-only"},
          "cannot dump the schema of database '" + settings.name.value_or("") +
              "'"};
}

PendingDump start_dump_metadata(const ConnectionSettings& settings)
{
  return {settings,
          {"--data-only", "--schema=half_orm_meta"},
          "cannot dump the half_orm_meta rows of database '" +
              settings.name.value_or("") + "'"};
}

PendingBaselines start_baselines(const ConnectionSettings& settings)
{
  return {start_dump_schema(settings), start_dump_metadata(settings)};
}

std::string normalize(const std::string& dump)
{
  std::istringstream in(dump);
  std::ostringstream out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("-- Dumped from database version", 0) == 0 ||
        line.rfind("-- Dumped by pg_dump version", 0) == 0) {
      continue;
    }
    out << line << '\n';
  }
  return out.str();
}

std::string dump_schema(const ConnectionSettings& settings)
{
  return start_dump_schema(settings).get();
}

std::string backup_schema(const std::filesystem::path& backup)
{
  // pg_restore comes with pg_dump: it knows --restrict-key when pg_dump
  // does. No connection: it writes the SQL to stdout.
  return run_pg_dump(
      ConnectionSettings{}, {"--schema-only", "-f", "-", backup.string()},
      "cannot read the schema of the backup '" + backup.string() + "'",
      "pg_restore");
}

std::string dump_metadata(const ConnectionSettings& settings)
{
  return start_dump_metadata(settings).get();
}

std::string schema_file(const std::string& version)
{
  return "model/schema-" + version + ".sql";
}

std::string metadata_file(const std::string& version)
{
  return "model/metadata-" + version + ".sql";
}

namespace {

// One entry of a plain pg_dump: its header comment ("-- Name: post; Type:
// TABLE; Schema: public; Owner: -") and its text up to the next header.
struct DumpObject
{
  std::string type; // "TABLE", "FK CONSTRAINT"...
  std::string name; // "public.post"
  std::string text;
  bool ours = false; // git-hop's tracking schema

  std::string key() const { return type + '\n' + name; }
  std::string display() const
  {
    std::string t = type;
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) {
      return static_cast<char>(std::tolower(c));
    });
    return t + " " + name;
  }
};

std::string header_field(const std::string& header, const std::string& name)
{
  size_t at = header.find(name + ": ");
  if (at == std::string::npos) {
    return "";
  }
  at += name.size() + 2;
  size_t end = header.find("; ", at);
  return header.substr(at, end == std::string::npos ? end : end - at);
}

std::vector<DumpObject> split_dump(const std::string& dump)
{
  std::vector<DumpObject> out;
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    bool object = line.rfind("-- Name: ", 0) == 0;
    if (object || line.rfind("-- Data for Name: ", 0) == 0) {
      std::string schema = header_field(line, "Schema");
      std::string name =
          header_field(line, object ? "-- Name" : "-- Data for Name");
      DumpObject o;
      o.type = object ? header_field(line, "Type") : "DATA";
      o.name = (schema.empty() || schema == "-" ? "" : schema + ".") + name;
      o.ours = schema == "half_orm_meta" || schema == "half_orm_meta.view" ||
               (o.type == "SCHEMA" &&
                (name == "half_orm_meta" || name == "\"half_orm_meta.view\""));
      out.push_back(std::move(o));
      continue;
    }
    if (out.empty() || line.empty() || line == "--") {
      continue;
    }
    out.back().text += line;
    out.back().text += '\n';
  }
  return out;
}

} // namespace

std::vector<std::string> compare_schemas(const std::string& expected,
                                         const std::string& actual,
                                         const std::string& expected_name,
                                         const std::string& actual_name)
{
  std::map<std::string, const DumpObject*> want;
  std::vector<DumpObject> expected_objects = split_dump(expected);
  for (const auto& o : expected_objects) {
    if (!o.ours) {
      want[o.key()] = &o;
    }
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& o : split_dump(actual)) {
    if (o.ours) {
      continue;
    }
    seen.insert(o.key());
    auto it = want.find(o.key());
    if (it == want.end()) {
      out.push_back(o.display() + ": only in " + actual_name);
    } else if (it->second->text != o.text) {
      out.push_back(o.display() + ": differs from " + expected_name);
    }
  }
  for (const auto& o : expected_objects) {
    if (!o.ours && !seen.count(o.key())) {
      out.push_back(o.display() + ": missing from " + actual_name);
    }
  }
  return out;
}

namespace {

// 32 random letters and digits: a key nobody can write into a baseline.
std::string random_key()
{
  const char alphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      throw fatal("cannot draw a random key").detail(std::strerror(errno));
    }
    got += static_cast<size_t>(n);
  }
  std::string key;
  for (unsigned char b : bytes) {
    key += alphabet[b % (sizeof alphabet - 1)];
  }
  return key;
}

std::string_view trimmed(std::string_view line)
{
  size_t b = line.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) {
    return {};
  }
  size_t e = line.find_last_not_of(" \t\r\n");
  return line.substr(b, e - b + 1);
}

} // namespace

namespace {

// The lines of `text`, each with its '\n'.
std::vector<std::string_view> lines_of(std::string_view text)
{
  std::vector<std::string_view> lines;
  for (std::string_view rest = text; !rest.empty();) {
    size_t eol = rest.find('\n');
    size_t len = eol == std::string_view::npos ? rest.size() : eol + 1;
    lines.push_back(rest.substr(0, len));
    rest.remove_prefix(len);
  }
  return lines;
}

// The indexes of the lines psql acts on: not blank, not an SQL comment.
std::vector<size_t>
significant_lines(const std::vector<std::string_view>& lines)
{
  std::vector<size_t> significant;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto t = trimmed(lines[i]);
    if (!t.empty() && !t.starts_with("--")) {
      significant.push_back(i);
    }
  }
  return significant;
}

} // namespace

std::string with_restrict_key(const std::string& sql, const std::string& key)
{
  std::vector<std::string_view> lines = lines_of(sql);
  std::vector<size_t> significant = significant_lines(lines);
  const std::string restrict_cmd = "\\restrict ";
  const std::string unrestrict_cmd = "\\unrestrict ";
  std::map<size_t, std::string> replaced;
  bool at_start = true; // the next significant line starts a dump
  bool any = false;
  std::string dump_key;
  for (size_t k = 0; k < significant.size(); ++k) {
    auto t = trimmed(lines[significant[k]]);
    if (at_start && t.starts_with(restrict_cmd)) {
      dump_key = std::string(t.substr(restrict_cmd.size()));
      replaced[significant[k]] = restrict_cmd + key + "\n";
      any = true;
      at_start = false;
      continue;
    }
    at_start = false;
    // pg_dump's closing \unrestrict: the last line, or the one before the
    // next dump's \restrict. Any other is left as it is: with the wrong
    // key, psql refuses it, and every meta-command after it.
    if (!dump_key.empty() && t == unrestrict_cmd + dump_key) {
      bool last = k + 1 == significant.size();
      if (last ||
          trimmed(lines[significant[k + 1]]).starts_with(restrict_cmd)) {
        replaced[significant[k]] = unrestrict_cmd + key + "\n";
        at_start = true;
      }
    }
  }
  if (!any) {
    // A dump without \restrict (an older pg_dump): restrict it all the same
    // when psql knows the command.
    if (!has_restrict_key()) {
      return sql;
    }
    std::string out = restrict_cmd + key + "\n" + sql;
    if (out.back() != '\n') {
      out += '\n';
    }
    return out + unrestrict_cmd + key + "\n";
  }
  std::string out;
  out.reserve(sql.size() + 64);
  for (size_t i = 0; i < lines.size(); ++i) {
    auto it = replaced.find(i);
    out += it == replaced.end() ? std::string(lines[i]) : it->second;
  }
  return out;
}

void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what)
{
  process::Command cmd{{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--single-transaction", "-f", "-"}};
  cmd.env_set = settings.environment();
  cmd.env_set["PGOPTIONS"] = "-c client_min_messages=warning";
  cmd.clean_git_env = true;
  // The committed baselines carry the fixed key "githop", which anyone can
  // write: a fresh one for each load keeps psql's meta-commands (\!, \o,
  // \copy...) off for the whole file (CVE-2025-8714).
  cmd.input = with_restrict_key(sql, random_key());
  process::run_checked(cmd, what);
}

} // namespace hop::snapshot
