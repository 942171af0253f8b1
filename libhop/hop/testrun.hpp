// git hop test: the project's test command against a throw-away copy of
// the development database, dropped afterwards whatever happens.
#pragma once

#include "error.hpp"
#include "project.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hop {
class Reporter;
class Session;
} // namespace hop

namespace hop::testrun {

struct Summary
{
  std::vector<std::string> command;
  int exit_code = 0;
  bool passed = false;
  // pytest ran no test: it collected none, or skipped them all.
  bool no_tests = false;
  // The package could not be imported (pytest only): the traceback.
  std::optional<std::string> import_error;
  std::string package;
  std::string interpreter;
  // From pytest's JUnit report, when the command is pytest.
  std::optional<int> tests_passed;
  std::optional<int> tests_failed;
  std::optional<int> tests_skipped;
  double seconds = 0;
};

// The interpreter for .py scripts and tests: [python] interpreter, else
// python3 when it can import pytest, else /usr/bin/python3. No probe when
// the python3 on PATH is /usr/bin/python3; otherwise its answer is
// remembered in $XDG_CACHE_HOME/git-hop (~/.cache/git-hop) for that python3
// (path, inode, size, time), the variables that choose a Python
// (PYENV_VERSION, VIRTUAL_ENV...) and the current directory, and forgotten
// when pytest turns out to be missing.
std::string interpreter(const Config& config);

// The test command: [test] command, else <interpreter> -m pytest -q -p
// no:cacheprovider.
std::vector<std::string> test_command(const Config& config);

// Run the tests of the session's project against a copy of its database,
// dropped when the session ends (Session::drop_after()); the session's
// reporter is told which copy. The command's output goes to the terminal.
// Fatal for a production database (refuse_production()). `after_copy`,
// when given, is called once the copy is made, before the tests start:
// the database is free again (release dumps it meanwhile).
Summary run_tests_on_copy(Session& session,
                          const std::function<void()>& after_copy = {});

// `git hop test`: run_tests_on_copy() under git-hop's lock of the database (one
// git-hop at a time: the copy is made from a database nobody is swapping).
Summary run_tests(Session& session);

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

// One line: "3 passed, 0 failed, 1 skipped in 0.52 s", "no test ran in
// 0.31 s".
std::string describe(const Summary& summary);

// Why `summary` did not pass, as a failure (exit 1): "the tests failed",
// "no test ran" or "the package 'blog' cannot be imported", then ": " +
// `outcome` when not empty, with the details and hints of each case;
// `fix_hint` is the hint of failing tests (none when empty).
Error failure_of(const Summary& summary, const std::string& outcome,
                 const std::string& fix_hint);

// Whether the failure of `summary` is not a test failing but a run that
// tested nothing (no test, or a package that cannot be imported).
bool tested_nothing(const Summary& summary);

} // namespace hop::testrun
