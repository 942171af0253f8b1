#include "snapshot.hpp"

#include "error.hpp"
#include "output.hpp"
#include "process.hpp"
#include "sha256.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

namespace hop::snapshot {

namespace {

// pg_dump >= 15.14 writes "\restrict <random key>"; a fixed key keeps the
// dump byte-identical. Older ones lack the option.
bool has_restrict_key()
{
  static const bool has = [] {
    process::Command cmd{{"pg_dump", "--help"}};
    auto r = process::run(cmd);
    return r.ok() && r.out.find("--restrict-key") != std::string::npos;
  }();
  return has;
}

std::string run_pg_dump(const ConnectionSettings& settings,
                        std::vector<std::string> args, const std::string& what)
{
  process::Command cmd;
  cmd.argv = {"pg_dump", "--no-owner", "--no-privileges", "--no-tablespaces"};
  if (has_restrict_key()) {
    cmd.argv.emplace_back("--restrict-key=githop");
  }
  for (auto& a : args) {
    cmd.argv.push_back(std::move(a));
  }
  cmd.env_set = settings.environment();
  cmd.clean_git_env = true;
  return normalize(process::run_checked(cmd, what).out);
}

} // namespace

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
  return run_pg_dump(settings, {"--schema-only"},
                     "cannot dump the schema of database '" +
                         settings.name.value_or("") + "'");
}

std::string dump_metadata(const ConnectionSettings& settings)
{
  return run_pg_dump(settings, {"--data-only", "--schema=half_orm_meta"},
                     "cannot dump the half_orm_meta rows of database '" +
                         settings.name.value_or("") + "'");
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

void load_sql(const ConnectionSettings& settings, const std::string& sql,
              const std::string& what)
{
  process::Command cmd{{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "--single-transaction", "-f", "-"}};
  cmd.env_set = settings.environment();
  cmd.env_set["PGOPTIONS"] = "-c client_min_messages=warning";
  cmd.clean_git_env = true;
  cmd.input = sql;
  process::run_checked(cmd, what);
}

} // namespace hop::snapshot
