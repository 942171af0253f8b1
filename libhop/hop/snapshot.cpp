#include "snapshot.hpp"

#include "process.hpp"

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
  return run_pg_dump(settings,
                     {"--data-only", "--schema=half_orm_meta"},
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

} // namespace hop::snapshot
