// git hop test: the project's test command against a throw-away copy of
// the development database, dropped afterwards whatever happens.
#pragma once

#include "project.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hop::testrun {

struct Summary
{
  std::vector<std::string> command;
  int exit_code = 0;
  bool passed = false;
  bool no_tests = false; // pytest collected nothing
  // From pytest's JUnit report, when the command is pytest.
  std::optional<int> tests_passed;
  std::optional<int> tests_failed;
  std::optional<int> tests_skipped;
  double seconds = 0;
};

// The interpreter for .py scripts and tests: [python] interpreter, else
// python3 when it can import pytest, else /usr/bin/python3.
std::string interpreter(const Config& config);

// The test command: [test] command, else <interpreter> -m pytest -q -p
// no:cacheprovider.
std::vector<std::string> test_command(const Config& config);

// Run the tests of `project` against a copy of its database, dropped
// afterwards. The command's output goes to the terminal.
Summary run_tests(const Project& project);

// Run the tests of `project` against the database of `settings` as it is.
Summary run_tests_on(const Project& project,
                     const ConnectionSettings& settings);

// Counts from a JUnit XML report: (tests, failures + errors, skipped).
struct Counts
{
  int tests = 0;
  int failed = 0;
  int skipped = 0;
};
std::optional<Counts> parse_junit(const std::string& xml);

// One line: "3 passed, 0 failed, 1 skipped in 0.52 s".
std::string describe(const Summary& summary);

} // namespace hop::testrun
