#include "notes.hpp"

#include "error.hpp"

#include <toml++/toml.h>

#include <cstdio>
#include <ctime>
#include <sstream>

namespace hop::notes {

namespace {

std::string quoted(const std::string& s)
{
  std::ostringstream q;
  q << toml::value<std::string>(s);
  return q.str();
}

} // namespace

std::string render(const Note& n)
{
  std::ostringstream os;
  os << "version = " << quoted(n.version.str()) << "\n";
  if (n.previous) {
    os << "previous = " << quoted(n.previous->str()) << "\n";
  }
  os << "message = " << quoted(n.message) << "\n"
     << "git_hop_version = " << quoted(n.git_hop_version) << "\n"
     << "released_at = " << n.released_at << "\n"
     << "schema_sha256 = " << quoted(n.schema_sha256) << "\n"
     << "metadata_sha256 = " << quoted(n.metadata_sha256) << "\n";
  for (const auto& s : n.scripts) {
    os << "\n[[scripts]]\npath = " << quoted(s.path)
       << "\nsha256 = " << quoted(s.sha256) << "\n";
  }
  if (!n.tests) {
    return os.str();
  }
  const Tests& t = *n.tests;
  os << "\n[tests]\ncommand = [";
  for (size_t i = 0; i < t.command.size(); ++i) {
    os << (i ? ", " : "") << quoted(t.command[i]);
  }
  os << "]\n";
  if (t.passed) {
    os << "passed = " << *t.passed << "\n"
       << "failed = " << t.failed.value_or(0) << "\n"
       << "skipped = " << t.skipped.value_or(0) << "\n";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", t.seconds);
  os << "duration_s = " << secs << "\n";
  return os.str();
}

namespace {

std::vector<Script> parse_scripts(const toml::table& t, const std::string& what)
{
  std::vector<Script> out;
  const auto* scripts = t["scripts"].as_array();
  if (!scripts) {
    return out;
  }
  for (const auto& node : *scripts) {
    const auto* s = node.as_table();
    auto path = s ? (*s)["path"].value<std::string>() : std::nullopt;
    auto sha = s ? (*s)["sha256"].value<std::string>() : std::nullopt;
    if (!path || !sha) {
      throw fatal(what + " has a [[scripts]] entry without path or sha256");
    }
    out.push_back({*path, *sha});
  }
  return out;
}

std::optional<Tests> parse_tests(const toml::table& t)
{
  const auto* tests = t["tests"].as_table();
  if (!tests) {
    return std::nullopt;
  }
  Tests s;
  if (const auto* cmd = (*tests)["command"].as_array()) {
    for (const auto& c : *cmd) {
      s.command.push_back(c.value_or(std::string()));
    }
  }
  s.passed = (*tests)["passed"].value<int>();
  s.failed = (*tests)["failed"].value<int>();
  s.skipped = (*tests)["skipped"].value<int>();
  s.seconds = (*tests)["duration_s"].value_or(0.0);
  return s;
}

std::string date_time_of(const toml::table& t, const char* key)
{
  if (const auto* at = t[key].as_date_time()) {
    std::ostringstream os;
    os << *at;
    return os.str();
  }
  return t[key].value_or(std::string());
}

} // namespace

Note parse(std::string_view text, const std::string& what)
{
  toml::table t;
  try {
    t = toml::parse(text, what);
  } catch (const toml::parse_error& e) {
    throw fatal(what + " is not valid TOML")
        .detail("line " + std::to_string(e.source().begin.line) + ": " +
                std::string(e.description()));
  }
  auto version = t["version"].value<std::string>();
  if (!version) {
    throw fatal(what + " has no 'version'");
  }
  auto v = Version::parse(*version);
  if (!v) {
    throw fatal(what + " names an invalid version '" + *version + "'");
  }
  Note n;
  n.version = *v;
  if (auto prev = t["previous"].value<std::string>()) {
    n.previous = Version::parse(*prev);
  }
  n.message = t["message"].value_or(std::string());
  n.git_hop_version = t["git_hop_version"].value_or(std::string());
  n.released_at = date_time_of(t, "released_at");
  n.schema_sha256 = t["schema_sha256"].value_or(std::string());
  n.metadata_sha256 = t["metadata_sha256"].value_or(std::string());
  n.scripts = parse_scripts(t, what);
  n.tests = parse_tests(t);
  return n;
}

std::string utc_now()
{
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

} // namespace hop::notes
