// Running other programs. The only user of Boost.Process.
//
//   process::Command cmd{{"pg_dump", "--schema-only"}};
//   cmd.env_set["PGDATABASE"] = "blog";
//   auto r = process::run(cmd);            // never throws on exit != 0
//   if (!r.ok()) ... r.err ...
//   auto r2 = process::run_checked(cmd, "cannot dump the schema");
//
// Programs get an argv vector, never a shell string. Both output streams
// are drained at the same time, so a chatty child cannot deadlock us.
// Every spawn is traced under GIT_HOP_TRACE with its duration.
//
// A child runs in its own process group and never outlives git-hop: it
// gets `parent_death_signal` (PR_SET_PDEATHSIG) when git-hop dies, even of
// SIGKILL; on SIGINT/SIGTERM/SIGHUP git-hop signals the child's whole
// group first (see cleanup.hpp).
#pragma once

#include <csignal>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hop::process {

struct Command
{
  Command() = default;
  explicit Command(std::vector<std::string> args) : argv(std::move(args)) {}

  std::vector<std::string> argv;
  // Working directory; empty = ours.
  std::string cwd;
  std::map<std::string, std::string> env_set;
  std::vector<std::string> env_unset;
  // Remove GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE... (a child working in
  // another repository must not inherit those of a hook).
  bool clean_git_env = false;
  // When set, the child's stdout goes to this file descriptor (a file
  // git-hop reads after, so that big output never passes through its
  // memory); Capture::both then captures stderr only.
  int stdout_fd = -1;
  // Data for the child's stdin; none = /dev/null.
  std::optional<std::string> input;
  // What the child gets when git-hop dies (the thread that started it,
  // strictly): SIGKILL, or SIGTERM for a child that must clean up (git
  // removes its lock files).
  int parent_death_signal = SIGKILL;
};

enum class Capture {
  both,        // stdout and stderr captured
  stderr_only, // stdout inherited
  none,        // both inherited (the child talks to the user)
  to_stderr,   // the child's stdout goes to our stderr (chatty output)
};

struct Result
{
  int exit_code = 0; // valid when signal == 0
  int signal = 0;    // the signal that killed the child, or 0
  std::string out;
  std::string err;

  bool ok() const { return signal == 0 && exit_code == 0; }
  // "exited with status 2" / "killed by signal 9 (Killed)".
  std::string describe() const;
};

// Run `cmd` to completion.
Result run(const Command& cmd, Capture capture = Capture::both);

// `cmd` running in the background while git-hop does something else: its
// stdout and stderr go to unlinked temporary files (nothing to drain, no
// thread), which wait() reads. It dies with git-hop as run()'s children
// do; a Background destroyed before wait() kills the child's group and
// reaps it. No input (stdin is /dev/null) and no stdout_fd.
class Background {
public:
  explicit Background(const Command& cmd);
  Background(Background&&) noexcept;
  Background& operator=(Background&&) = delete;
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  ~Background();

  // Wait for it to end: what run() would have returned (Capture::both).
  Result wait();

private:
  struct Child;
  std::unique_ptr<Child> m;
};

// The one exception to "a child never outlives git-hop": finish `work`,
// which the command's result need not wait for (dropping a database
// renamed away), in a child that goes on after git-hop exits. The child
// is forked, not exec'ed: its own session; stdin, stdout and stderr on
// /dev/null (a pipe reading git-hop sees its end when git-hop exits);
// every other file closed but `keep_fd`; default signal handling, nothing
// blocked; no tracing. It runs `work`, ignores what it throws and _exits
// (no destructors, no atexit). Returns its pid, or -1 when fork failed:
// then nothing ran, and the caller does the work itself.
long detach(int keep_fd, const std::function<void()>& work);

// Run `cmd`; when it fails throw hop::fatal(`what`) whose details name the
// command, its status and the last lines of its stderr.
Result run_checked(const Command& cmd, const std::string& what,
                   Capture capture = Capture::both);

// Throw what run_checked throws when `r`, a result of `cmd`, is a failure.
void check(const Command& cmd, const Result& r, const std::string& what);

// Find `name` on PATH (or return it when it holds a '/').
std::optional<std::string> find_program(const std::string& name);

// The last `n` non-empty lines of `text`.
std::vector<std::string> last_lines(const std::string& text, size_t n);

} // namespace hop::process
