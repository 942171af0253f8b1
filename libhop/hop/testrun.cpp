#include "testrun.hpp"

#include "db/cluster.hpp"
#include "deploy/lock.hpp"
#include "error.hpp"
#include "output.hpp"
#include "process.hpp"
#include "scratch.hpp"
#include "session.hpp"
#include "sha256.hpp"
#include "snapshot.hpp"
#include "util/file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace hop::testrun {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_system_python = "/usr/bin/python3";

// --- The default interpreter, probed once and remembered ---

// What the probe's answer depends on; empty when there is no choice to
// make (no python3 on PATH, or it is /usr/bin/python3).
std::string fingerprint()
{
  auto python3 = process::find_program("python3");
  if (!python3 || *python3 == k_system_python) {
    return "";
  }
  // The file found (a symbolic link: a venv's), and what it runs.
  std::string text = "python3=" + *python3;
  struct stat st
  {
  };
  for (auto get : {::lstat, ::stat}) {
    if (get(python3->c_str(), &st) != 0) {
      return "";
    }
    text += " ino=" + std::to_string(st.st_ino) +
            " dev=" + std::to_string(st.st_dev) +
            " size=" + std::to_string(st.st_size) +
            " mtime=" + std::to_string(st.st_mtim.tv_sec) + "." +
            std::to_string(st.st_mtim.tv_nsec);
  }
  for (const char* var :
       {"PYENV_VERSION", "PYENV_ROOT", "VIRTUAL_ENV", "CONDA_PREFIX",
        "PYTHONHOME", "PYTHONPATH", "PYTHONUSERBASE", "PYTHONNOUSERSITE"}) {
    const char* value = std::getenv(var);
    text += std::string("\n") + var + "=" + (value ? value : "");
  }
  std::error_code ec;
  text += "\ncwd=" + fs::current_path(ec).string();
  return text;
}

// $XDG_CACHE_HOME/git-hop, else ~/.cache/git-hop; empty without either.
fs::path cache_dir()
{
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/') {
    return fs::path(xdg) / "git-hop";
  }
  const char* home = std::getenv("HOME");
  if (home && *home == '/') {
    return fs::path(home) / ".cache" / "git-hop";
  }
  return {};
}

fs::path cache_file(const std::string& print)
{
  fs::path dir = cache_dir();
  if (dir.empty()) {
    return {};
  }
  return dir / ("interpreter-" + sha256_hex(print).substr(0, 16));
}

// The remembered answer for `print`: only from a file of ours that no one
// else can write, and only one of the two possible answers.
std::optional<std::string> remembered(const std::string& print)
{
  fs::path file = cache_file(print);
  struct stat st
  {
  };
  if (file.empty() || ::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_uid != ::getuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return std::nullopt;
  }
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t cut = text.rfind("\nanswer=");
  if (cut == std::string::npos || text.substr(0, cut) != print) {
    return std::nullopt;
  }
  std::string answer = text.substr(cut + 8);
  if (answer != "python3" && answer != k_system_python) {
    return std::nullopt;
  }
  return answer;
}

// Remember `answer` for `print` (best effort: a cache).
void remember(const std::string& print, const std::string& answer)
{
  fs::path file = cache_file(print);
  if (file.empty()) {
    return;
  }
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  fs::path tmp = file;
  tmp += "." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << print << "\nanswer=" << answer;
    if (!out) {
      fs::remove(tmp, ec);
      return;
    }
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
  }
}

void forget(const std::string& print)
{
  if (fs::path file = cache_file(print); !file.empty()) {
    std::error_code ec;
    fs::remove(file, ec);
  }
}

std::string probe()
{
  process::Command cmd{{"python3", "-c", "import pytest"}};
  return process::run(cmd).ok() ? "python3" : k_system_python;
}

std::string default_interpreter()
{
  static const std::string chosen = [] {
    if (!process::find_program("python3")) {
      return std::string(k_system_python);
    }
    std::string print = fingerprint();
    if (print.empty()) {
      return std::string("python3");
    }
    if (auto answer = remembered(print)) {
      return *answer;
    }
    std::string answer = probe();
    remember(print, answer);
    return answer;
  }();
  return chosen;
}

bool is_pytest_command(const std::vector<std::string>& command)
{
  for (const auto& arg : command) {
    if (arg == "pytest" || arg.ends_with("/pytest")) {
      return true;
    }
  }
  return false;
}

// The last `n` lines of `text`.
std::vector<std::string> tail(const std::string& text, size_t n)
{
  return process::last_lines(text, n);
}

// What pytest's JUnit report and git-hop's plugin report say.
void read_pytest_reports(Summary& s, const process::Result& r,
                         const fs::path& junit, const fs::path& report)
{
  if (fs::exists(junit)) {
    if (auto counts = parse_junit(util::read_file(junit))) {
      s.tests_failed = counts->failed;
      s.tests_skipped = counts->skipped;
      s.tests_passed = counts->tests - counts->failed - counts->skipped;
    }
  }
  if (fs::exists(report)) {
    if (std::string outcome = util::read_file(report); outcome != "ok") {
      s.import_error = outcome;
    }
  }
  s.no_tests = r.signal == 0 &&
               (r.exit_code == 5 || (s.tests_passed && *s.tests_passed == 0 &&
                                     s.tests_failed.value_or(0) == 0));
}

} // namespace

std::string interpreter(const Config& config)
{
  if (config.python.interpreter) {
    return *config.python.interpreter;
  }
  return default_interpreter();
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
  if (s.no_tests && s.tests_failed.value_or(0) == 0) {
    std::string line = "no test ran";
    if (s.tests_skipped.value_or(0) > 0) {
      line += " (" + std::to_string(*s.tests_skipped) + " skipped)";
    }
    return line + " in " + time;
  }
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

bool tested_nothing(const Summary& s)
{
  return s.import_error || (s.no_tests && s.tests_failed.value_or(0) == 0);
}

Error failure_of(const Summary& s, const std::string& outcome,
                 const std::string& fix_hint)
{
  std::string then = outcome.empty() ? "" : ": " + outcome;
  if (s.import_error) {
    Error e =
        failure("the package '" + s.package + "' cannot be imported" + then);
    for (const auto& line : tail(*s.import_error, 6)) {
      e.detail(line);
    }
    if (s.import_error->find("No module named 'half_orm'") !=
        std::string::npos) {
      e.hint("The package needs half_orm, which " + s.interpreter +
             " cannot import: install it for that Python (pip install "
             "half_orm), or set [python] interpreter in .hop/config to one "
             "that has it (a virtual environment's).");
    } else {
      e.hint("Fix what the traceback names; '" + s.interpreter +
             " -c \"import " + s.package +
             "\"' in the project shows it again.");
    }
    return e;
  }
  if (tested_nothing(s)) {
    Error e = failure("no test ran" + then);
    e.detail(s.tests_skipped.value_or(0) > 0
                 ? "pytest skipped all the tests it collected."
                 : "pytest collected no test.");
    e.hint("Write tests in tests/ or keep the generated test stubs (" +
           s.package +
           "/<schema>/<relation>_test.py): a run that tests nothing does "
           "not pass.");
    return e;
  }
  Error e = failure("the tests failed" + then);
  if (!fix_hint.empty()) {
    e.hint(fix_hint);
  }
  return e;
}

Summary run_tests_on(const Project& project, const ConnectionSettings& settings)
{
  Summary s;
  s.command = test_command(project.config);
  s.package = project.config.project.name;
  s.interpreter = interpreter(project.config);
  TempDir tmp("git-hop-test");
  fs::path junit = tmp.path() / "junit.xml";
  fs::path report = tmp.path() / "import.txt";
  bool is_pytest = is_pytest_command(s.command);
  process::Command cmd{s.command};
  cmd.cwd = project.root.string();
  cmd.env_set = connection_environment(project, settings, tmp.path());
  if (is_pytest) {
    cmd.argv.push_back("--junitxml=" + junit.string());
    cmd.argv.push_back("-p");
    cmd.argv.push_back("git_hop_pytest");
    if (project.config.python.package) {
      cmd.env_set["GIT_HOP_PACKAGE"] = s.package;
      cmd.env_set["GIT_HOP_TEST_REPORT"] = report.string();
    }
  }
  cmd.clean_git_env = true;
  auto start = std::chrono::steady_clock::now();
  // The tests' output is chatty: stderr, so that stdout keeps the result.
  process::Result r = process::run(cmd, process::Capture::to_stderr);
  s.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  s.exit_code = r.exit_code;
  if (is_pytest) {
    read_pytest_reports(s, r, junit, report);
    if (r.signal == 0 && r.exit_code == 1 && !fs::exists(junit) &&
        !project.config.python.interpreter && !project.config.test.command) {
      // pytest did not even start: the remembered answer "python3 can
      // import pytest" may be stale.
      if (std::string print = fingerprint(); !print.empty()) {
        forget(print);
      }
    }
  }
  s.passed = r.ok() && !s.no_tests && !s.import_error;
  return s;
}

Summary run_tests_on_copy(Session& session,
                          const std::function<void()>& after_copy)
{
  const Project& project = session.project();
  if (project.connection.production) {
    refuse_production(project, "git hop test");
  }
  std::string dbname = session.dbname();
  db::Cluster& cluster = session.cluster();
  if (!cluster.exists(dbname)) {
    throw fatal("database '" + dbname + "' does not exist")
        .hint("Run 'git hop apply' to build it.");
  }
  std::string copy = db::derived_name(dbname, "__hop_test");
  session.report().progress("Testing against a copy of '" + dbname +
                            "': " + copy);
  cluster.clone(dbname, copy);
  session.drop_after(copy);
  if (after_copy) {
    after_copy();
  }
  return run_tests_on(project, cluster.settings_for(copy));
}

Summary run_tests(Session& session)
{
  const Project& project = session.project();
  if (project.connection.production) {
    refuse_production(project, "git hop test"); // before any connection
  }
  deploy::Lock lock = deploy::Lock::acquire(
      session.database_settings(), session.dbname(), "test",
      project.config.deploy.lock_wait_ms, session.report());
  return run_tests_on_copy(session);
}

} // namespace hop::testrun
