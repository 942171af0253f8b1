#include "testrun.hpp"

#include "error.hpp"
#include "output.hpp"
#include "process.hpp"
#include "scratch.hpp"
#include "snapshot.hpp"
#include "templates.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace hop::testrun {

namespace fs = std::filesystem;

std::string interpreter(const Config& config)
{
  if (config.python.interpreter) {
    return *config.python.interpreter;
  }
  static const std::string chosen = [] {
    if (process::find_program("python3")) {
      process::Command probe{{"python3", "-c", "import pytest"}};
      if (process::run(probe).ok()) {
        return std::string("python3");
      }
    }
    return std::string("/usr/bin/python3");
  }();
  return chosen;
}

std::vector<std::string> test_command(const Config& config)
{
  if (config.test.command) {
    return *config.test.command;
  }
  return {interpreter(config), "-m", "pytest", "-q", "-p", "no:cacheprovider"};
}

std::optional<Counts> parse_junit(const std::string& xml)
{
  size_t at = xml.find("<testsuite ");
  if (at == std::string::npos) {
    return std::nullopt;
  }
  size_t end = xml.find('>', at);
  std::string tag = xml.substr(at, end - at);
  auto attr = [&](const std::string& name) -> int {
    size_t p = tag.find(" " + name + "=\"");
    if (p == std::string::npos) {
      return 0;
    }
    return std::atoi(tag.c_str() + p + name.size() + 3);
  };
  Counts c;
  c.tests = attr("tests");
  c.failed = attr("failures") + attr("errors");
  c.skipped = attr("skipped");
  return c;
}

std::string describe(const Summary& s)
{
  char time[32];
  std::snprintf(time, sizeof time, "%.2f s", s.seconds);
  if (s.tests_passed) {
    std::string line = std::to_string(*s.tests_passed) + " passed, " +
                       std::to_string(s.tests_failed.value_or(0)) + " failed";
    if (s.tests_skipped.value_or(0) > 0) {
      line += ", " + std::to_string(*s.tests_skipped) + " skipped";
    }
    return line + " in " + time;
  }
  return std::string(s.passed ? "passed" : "failed") + " in " + time;
}

Summary run_tests_on(const Project& project, const ConnectionSettings& settings)
{
  Summary s;
  s.command = test_command(project.config);
  ScratchDir tmp("git-hop-test");
  fs::path junit = tmp.path() / "junit.xml";
  bool is_pytest = false;
  for (const auto& arg : s.command) {
    is_pytest = is_pytest || arg == "pytest" || arg.ends_with("/pytest");
  }
  process::Command cmd{s.command};
  if (is_pytest) {
    cmd.argv.push_back("--junitxml=" + junit.string());
  }
  cmd.cwd = project.root.string();
  cmd.env_set = connection_environment(project, settings, tmp.path());
  cmd.clean_git_env = true;
  auto start = std::chrono::steady_clock::now();
  // The tests' output is chatty: stderr, so that stdout keeps the result.
  process::Result r = process::run(cmd, process::Capture::to_stderr);
  s.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  s.exit_code = r.exit_code;
  s.no_tests = is_pytest && r.exit_code == 5 && r.signal == 0;
  s.passed = r.ok() || s.no_tests;
  if (is_pytest && fs::exists(junit)) {
    if (auto counts = parse_junit(read_file(junit))) {
      s.tests_failed = counts->failed;
      s.tests_skipped = counts->skipped;
      s.tests_passed = counts->tests - counts->failed - counts->skipped;
    }
  }
  return s;
}

Summary run_tests(const Project& project)
{
  if (project.connection.production) {
    throw fatal("database '" + project.connection.name.value_or("") +
                "' is a production database")
        .detail("git hop test copies the development database; the connection "
                "file sets 'production = True'.");
  }
  std::string dbname =
      project.connection.name.value_or(project.config.project.name);
  snapshot::Admin admin(project.connection);
  if (!admin.exists(dbname)) {
    throw fatal("database '" + dbname + "' does not exist")
        .hint("Run 'git hop apply' to build it.");
  }
  std::string copy = snapshot::derived_name(dbname, "__hop_test");
  output::info("Testing against a copy of '" + dbname + "': " + copy);
  admin.clone(dbname, copy);
  try {
    Summary s = run_tests_on(project, admin.settings_for(copy));
    admin.drop(copy);
    return s;
  } catch (...) {
    admin.drop(copy);
    throw;
  }
}

} // namespace hop::testrun
