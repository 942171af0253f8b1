#include "process.hpp"

#include "cleanup.hpp"
#include "error.hpp"
#include "output.hpp"
#include "text.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>

namespace bp = boost::process;

namespace hop::process {

namespace {

const char* const k_git_env[] = {
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
};

std::string quote_arg(const std::string& arg)
{
  if (!arg.empty() &&
      arg.find_first_of(" \t\n'\"\\$`*?[]{}();&|<>!#~") == std::string::npos) {
    return arg;
  }
  std::string q = "'";
  for (char c : arg) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::string join_argv(const std::vector<std::string>& argv)
{
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) {
      s += ' ';
    }
    s += quote_arg(a);
  }
  return s;
}

// In the child, before exec: die with git-hop. A child must never outlive a
// git-hop killed by SIGKILL: a .py script or psql still writing to a
// database after git-hop is gone would race with the next run. Its own
// process group: git-hop signals the whole group (grandchildren included)
// when it is stopped by SIGINT/SIGTERM (cleanup.hpp); git-hop's blocked
// signals unblocked.
struct DieWithParent : bp::extend::handler
{
  pid_t parent = getpid();
  int signal = SIGKILL;

  template <typename Executor>
  void on_exec_setup(Executor&) const
  {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, signal);
    if (getppid() != parent) {
      _exit(127); // the parent died before prctl
    }
    cleanup::unblock_in_child();
  }
};

} // namespace

long detach(int keep_fd, const std::function<void()>& work)
{
  // The child _exits: what stdio holds is never written twice.
  pid_t pid = fork();
  if (pid != 0) {
    return pid;
  }
  setsid();
  for (int sig :
       {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGCONT}) {
    signal(sig, SIG_DFL);
  }
  signal(SIGPIPE, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd <= 2 && null >= 0; ++fd) {
    if (fd != keep_fd) {
      dup2(null, fd);
    }
  }
  int first = 3;
  if (keep_fd >= first) {
    close_range(static_cast<unsigned>(first),
                static_cast<unsigned>(keep_fd - 1), 0);
    first = keep_fd + 1;
  }
  close_range(static_cast<unsigned>(first), ~0U, 0);
  output::stop_tracing();
  try {
    work();
  } catch (...) {
    // Nobody is there to tell: what is left, the next run sweeps.
  }
  _exit(0);
}

std::string Result::describe() const
{
  if (signal != 0) {
    return "killed by signal " + std::to_string(signal) + " (" +
           strsignal(signal) + ")";
  }
  return "exited with status " + std::to_string(exit_code);
}

std::optional<std::string> find_program(const std::string& name)
{
  if (name.find('/') != std::string::npos) {
    return name;
  }
  auto path = bp::search_path(name);
  if (path.empty()) {
    return std::nullopt;
  }
  return path.string();
}

std::vector<std::string> last_lines(const std::string& text, size_t n)
{
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string line = text.substr(start, end - start);
    if (!line.empty()) {
      lines.push_back(std::move(line));
    }
    start = end + 1;
  }
  if (lines.size() > n) {
    lines.erase(lines.begin(), lines.end() - static_cast<long>(n));
  }
  return lines;
}

namespace {

// Our environment with the changes `cmd` asks for.
bp::environment environment_of(const Command& cmd)
{
  bp::environment env = boost::this_process::environment();
  if (cmd.clean_git_env) {
    for (const char* name : k_git_env) {
      env.erase(name);
    }
  }
  for (const auto& name : cmd.env_unset) {
    env.erase(name);
  }
  // set(), not env[k]: Boost 1.74's find() compares the key with each
  // entry past the end of a shorter one (a heap overflow ASan reports).
  for (const auto& [k, v] : cmd.env_set) {
    env.set(k, v);
  }
  return env;
}

using FilePtr = std::unique_ptr<FILE, decltype(&std::fclose)>;

// cmd.stdout_fd as a FILE* (Boost takes one for a file descriptor and
// dups it into the child); null without one.
FilePtr stdout_file(const Command& cmd)
{
  FilePtr file(nullptr, std::fclose);
  if (cmd.stdout_fd >= 0) {
    int fd = ::dup(cmd.stdout_fd);
    file.reset(fd < 0 ? nullptr : ::fdopen(fd, "w"));
    if (!file) {
      if (fd >= 0) {
        ::close(fd);
      }
      throw fatal("cannot run '" + cmd.argv[0] + "'")
          .detail(std::strerror(errno));
    }
  }
  return file;
}

// The program of cmd.argv[0], found on PATH; fatal when there is none.
std::string program_of(const Command& cmd)
{
  if (cmd.argv.empty()) {
    HOP_BUG("process::run with an empty argv");
  }
  auto exe = find_program(cmd.argv[0]);
  if (!exe) {
    throw fatal("cannot run '" + cmd.argv[0] + "': command not found")
        .hint("Check that it is installed and on your PATH.");
  }
  return *exe;
}

void trace_start(const Command& cmd)
{
  if (output::tracing()) {
    output::trace("run: " + join_argv(cmd.argv) +
                  (cmd.cwd.empty() ? "" : "  (in " + cmd.cwd + ")"));
  }
}

// The exit status or signal of a wait status.
void set_status(Result& result, int status)
{
  if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  } else {
    result.exit_code = WEXITSTATUS(status);
  }
}

void trace_done(const Command& cmd, const Result& result,
                std::chrono::steady_clock::time_point start)
{
  if (output::tracing()) {
    output::trace("done: " + cmd.argv[0] + " " + result.describe() + " in " +
                  output::ms_since(start));
  }
}

// A FILE* of a new unlinked temporary file, for a child's output.
FilePtr temp_output()
{
  int fd = temp_file();
  FilePtr file(::fdopen(fd, "w+"), std::fclose);
  if (!file) {
    ::close(fd);
    throw fatal("cannot create a temporary file").detail(std::strerror(errno));
  }
  return file;
}

// Everything written to `file` (from its start).
std::string read_all(FILE* file)
{
  std::string text;
  char buf[65536];
  off_t at = 0;
  while (true) {
    ssize_t n = ::pread(::fileno(file), buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return text;
    }
    text.append(buf, static_cast<size_t>(n));
    at += n;
  }
}

} // namespace

Result run(const Command& cmd, Capture capture)
{
  std::string exe = program_of(cmd);
  bp::environment env = environment_of(cmd);
  std::vector<std::string> args(cmd.argv.begin() + 1, cmd.argv.end());
  std::string cwd = cmd.cwd.empty() ? "." : cmd.cwd;

  auto start = std::chrono::steady_clock::now();
  trace_start(cmd);

  Result result;
  boost::asio::io_context ios;
  std::future<std::string> out_f;
  std::future<std::string> err_f;
  std::string input = cmd.input.value_or("");
  std::error_code ec;
  bp::child child;

  // Without input the child reads an empty pipe: EOF at once. Boost keeps
  // a reference to the buffer object: it must outlive the child.
  auto in_buffer = boost::asio::buffer(input);
  DieWithParent in_child;
  in_child.signal = cmd.parent_death_signal;
  FilePtr out_file = stdout_file(cmd);
  try {
    switch (out_file ? Capture::stderr_only : capture) {
    case Capture::both:
      child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                        bp::std_in<in_buffer, bp::std_out> out_f,
                        bp::std_err > err_f, ios, in_child, ec);
      break;
    case Capture::stderr_only:
      if (out_file) {
        child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                          bp::std_in<in_buffer, bp::std_out> out_file.get(),
                          bp::std_err > err_f, ios, in_child, ec);
      } else {
        child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                          bp::std_in<in_buffer, bp::std_err> err_f, ios,
                          in_child, ec);
      }
      break;
    case Capture::to_stderr:
      child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                        bp::std_in<in_buffer, bp::std_out> stderr, ios,
                        in_child, ec);
      break;
    case Capture::none:
      child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                        bp::std_in < in_buffer, ios, in_child, ec);
      break;
    }
  } catch (const std::exception& e) {
    throw fatal("cannot run '" + cmd.argv[0] + "'").detail(e.what());
  }
  if (ec) {
    throw fatal("cannot run '" + cmd.argv[0] + "'").detail(ec.message());
  }
  pid_t pid = child.id();
  ::setpgid(pid, pid); // also here: no window where the group is ours
  cleanup::add_child(pid, true);
  struct Unregister
  {
    pid_t pid;
    ~Unregister() { cleanup::remove_child(pid); }
  } unregister{pid};
  ios.run();
  child.wait(ec);
  // Stopped by a signal: the child was killed on purpose; go no further.
  cleanup::hold_if_terminating();
  set_status(result, child.native_exit_code());
  if (out_f.valid()) {
    result.out = out_f.get();
  }
  if (err_f.valid()) {
    result.err = err_f.get();
  }
  trace_done(cmd, result, start);
  return result;
}

struct Background::Child
{
  Command cmd;
  bp::child child;
  FilePtr out{nullptr, std::fclose};
  FilePtr err{nullptr, std::fclose};
  std::chrono::steady_clock::time_point start;
  bool waited = false;
};

Background::Background(const Command& cmd) : m(std::make_unique<Child>())
{
  if (cmd.input || cmd.stdout_fd >= 0) {
    HOP_BUG("process::Background with input or a stdout_fd");
  }
  std::string exe = program_of(cmd);
  bp::environment env = environment_of(cmd);
  std::vector<std::string> args(cmd.argv.begin() + 1, cmd.argv.end());
  std::string cwd = cmd.cwd.empty() ? "." : cmd.cwd;
  m->cmd = cmd;
  m->out = temp_output();
  m->err = temp_output();
  m->start = std::chrono::steady_clock::now();
  trace_start(cmd);
  DieWithParent in_child;
  in_child.signal = cmd.parent_death_signal;
  std::error_code ec;
  try {
    m->child = bp::child(exe, bp::args(args), bp::start_dir(cwd), env,
                         bp::std_in<bp::null, bp::std_out> m->out.get(),
                         bp::std_err > m->err.get(), in_child, ec);
  } catch (const std::exception& e) {
    throw fatal("cannot run '" + cmd.argv[0] + "'").detail(e.what());
  }
  if (ec) {
    throw fatal("cannot run '" + cmd.argv[0] + "'").detail(ec.message());
  }
  pid_t pid = m->child.id();
  ::setpgid(pid, pid);
  cleanup::add_child(pid, true);
}

Background::Background(Background&&) noexcept = default;

Background::~Background()
{
  if (!m || m->waited) {
    return;
  }
  pid_t pid = m->child.id();
  ::kill(-pid, SIGKILL);
  std::error_code ec;
  m->child.wait(ec);
  cleanup::remove_child(pid);
}

Result Background::wait()
{
  if (!m || m->waited) {
    HOP_BUG("process::Background waited for twice");
  }
  std::error_code ec;
  m->child.wait(ec);
  m->waited = true;
  cleanup::remove_child(m->child.id());
  cleanup::hold_if_terminating();
  Result result;
  set_status(result, m->child.native_exit_code());
  result.out = read_all(m->out.get());
  result.err = read_all(m->err.get());
  trace_done(m->cmd, result, m->start);
  return result;
}

void check(const Command& cmd, const Result& r, const std::string& what)
{
  if (r.ok()) {
    return;
  }
  Error e = fatal(what);
  e.detail("'" + join_argv(cmd.argv) + "' " + r.describe());
  for (auto& line : last_lines(r.err, 20)) {
    e.detail(line);
  }
  throw e;
}

Result run_checked(const Command& cmd, const std::string& what, Capture capture)
{
  Result r = run(cmd, capture);
  check(cmd, r, what);
  return r;
}

} // namespace hop::process
