#include "cleanup.hpp"

#include "output.hpp"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace hop::cleanup {

namespace fs = std::filesystem;

namespace {

struct Registry
{
  std::mutex mutex;
  std::multiset<std::string> paths;
  std::map<pid_t, bool> children; // pid -> own process group
  std::set<std::string> swept;
};

// Never destroyed: the signal thread may use it while the process exits.
Registry& registry()
{
  static Registry* r = new Registry;
  return *r;
}

std::atomic<bool> g_terminating{false};

// The process's start time (clock ticks after boot), field 22 of
// /proc/<pid>/stat, and its state; nullopt when there is no such process.
struct ProcStat
{
  unsigned long long start = 0;
  char state = '?';
};

std::optional<ProcStat> proc_stat(pid_t pid, int* error)
{
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) {
    *error = errno;
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')'); // the command name may hold anything
  if (paren == std::string::npos) {
    *error = EINVAL;
    return std::nullopt;
  }
  std::istringstream fields(text.substr(paren + 1));
  ProcStat st;
  std::string skip;
  fields >> st.state;
  for (int i = 4; i < 22 && fields >> skip; ++i) {
  }
  if (!(fields >> st.start)) {
    *error = EINVAL;
    return std::nullopt;
  }
  return st;
}

// The inode of our pid namespace, 0 when unknown.
unsigned long long pid_namespace()
{
  static const unsigned long long ns = [] {
    char buf[64];
    ssize_t n = ::readlink("/proc/self/ns/pid", buf, sizeof buf - 1);
    if (n <= 0) {
      return 0ULL;
    }
    buf[n] = '\0';
    unsigned long long ino = 0;
    return std::sscanf(buf, "pid:[%llu]", &ino) == 1 ? ino : 0ULL;
  }();
  return ns;
}

struct Tag
{
  pid_t pid = 0;
  unsigned long long start = 0;
  unsigned long long ns = 0;
};

std::optional<Tag> parse_tag(const std::string& text)
{
  Tag t;
  long long pid = 0;
  int used = 0;
  if (text.empty() ||
      text.find_first_not_of("0123456789-") != std::string::npos ||
      std::sscanf(text.c_str(), "%lld-%llu-%llu%n", &pid, &t.start, &t.ns,
                  &used) != 3 ||
      used != static_cast<int>(text.size()) || pid <= 0) {
    return std::nullopt;
  }
  t.pid = static_cast<pid_t>(pid);
  return t;
}

// The owner tag in a leftover's name, if it has one of git-hop's forms.
std::optional<std::string> tag_of(const std::string& name)
{
  for (const char* marker : {".hop-tmp-", ".hop-new-"}) {
    size_t at = name.rfind(marker);
    if (at != std::string::npos) {
      return name.substr(at + std::strlen(marker));
    }
  }
  // git-hop-<what>.<tag>.XXXXXX (TempDir, mkdtemp)
  if (name.rfind("git-hop-", 0) == 0) {
    size_t first = name.find('.');
    size_t second =
        first == std::string::npos ? first : name.find('.', first + 1);
    if (second != std::string::npos && name.size() - second - 1 == 6) {
      return name.substr(first + 1, second - first - 1);
    }
  }
  return std::nullopt;
}

// Whether the child `pid` has ended (a zombie has: git-hop's main thread,
// frozen, will not reap it).
bool child_gone(pid_t pid)
{
  int error = 0;
  auto st = proc_stat(pid, &error);
  if (!st) {
    return error == ENOENT || ::kill(pid, 0) != 0;
  }
  return st->state == 'Z' || st->state == 'X';
}

sigset_t g_handled;
pthread_t g_main;
std::atomic<bool> g_frozen{false};

// The main thread, on SIGRTMIN+2 from the signal thread: stop here, so that
// nothing is written while the temporary files go, until the process dies.
void freeze(int)
{
  g_frozen = true;
  for (;;) {
    ::pause();
  }
}

int freeze_signal()
{
  return SIGRTMIN + 2;
}

[[noreturn]] void terminate(int sig)
{
  g_terminating = true;
  Registry& r = registry();
  // Held until the end: no child starts, no path is added or dropped.
  std::unique_lock<std::mutex> lock(r.mutex);
  // The main thread stops where it is: it could otherwise go on writing
  // in a directory being removed.
  if (!pthread_equal(pthread_self(), g_main) &&
      pthread_kill(g_main, freeze_signal()) == 0) {
    for (int i = 0; i < 100 && !g_frozen.load(); ++i) {
      ::usleep(10000);
    }
  }
  for (const auto& [pid, group] : r.children) {
    ::kill(group ? -pid : pid, sig);
  }
  // A little time to end (pytest writes its report, git removes its locks).
  for (int i = 0; i < 300; ++i) {
    bool all = true;
    for (const auto& [pid, group] : r.children) {
      all = all && child_gone(pid);
    }
    if (all) {
      break;
    }
    ::usleep(10000);
  }
  // What is left of their groups.
  for (const auto& [pid, group] : r.children) {
    ::kill(group ? -pid : pid, SIGKILL);
  }
  for (const auto& path : r.paths) {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  // Die of the signal, as a well-behaved program does.
  std::signal(sig, SIG_DFL);
  sigset_t one;
  sigemptyset(&one);
  sigaddset(&one, sig);
  pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
  std::raise(sig);
  std::_Exit(128 + sig);
}

} // namespace

void handle_signals()
{
  // Children are waited for: a SIGCHLD ignored by whoever started us would
  // have the kernel reap them, and their exit status be lost.
  signal(SIGCHLD, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old = {};
    // A signal ignored by whoever started us stays ignored.
    if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) {
      sigaddset(&set, sig);
    }
  }
  g_handled = set;
  g_main = pthread_self();
  struct sigaction freezer = {};
  freezer.sa_handler = freeze;
  sigfillset(&freezer.sa_mask);
  sigaction(freeze_signal(), &freezer, nullptr);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    terminate(sig);
  }).detach();
}

void unblock_in_child()
{
  // Only sigprocmask: this runs between fork and exec.
  sigprocmask(SIG_UNBLOCK, &g_handled, nullptr);
}

bool terminating()
{
  return g_terminating.load();
}

void hold_if_terminating()
{
  if (!g_terminating.load()) {
    // A signal sent but not yet taken by the signal thread (which may not
    // have run yet): take it here rather than exit as if it never came.
    sigset_t pending;
    sigemptyset(&pending);
    bool any = false;
    if (sigpending(&pending) == 0) {
      for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
        any = any || (sigismember(&g_handled, sig) == 1 &&
                      sigismember(&pending, sig) == 1);
      }
    }
    if (!any) {
      return;
    }
    struct timespec now = {0, 0};
    int sig = sigtimedwait(&g_handled, nullptr, &now);
    if (sig > 0) {
      terminate(sig);
    }
    // Else the signal thread has it.
  }
  // The signal thread ends the process; our signals are blocked.
  for (;;) {
    ::pause();
  }
}

const std::string& owner_tag()
{
  static const std::string tag = [] {
    int error = 0;
    auto st = proc_stat(::getpid(), &error);
    return std::to_string(::getpid()) + "-" +
           std::to_string(st ? st->start : 0) + "-" +
           std::to_string(pid_namespace());
  }();
  return tag;
}

bool owner_alive(const std::string& text)
{
  auto tag = parse_tag(text);
  if (!tag) {
    return false;
  }
  unsigned long long mine = pid_namespace();
  if (tag->ns != mine) {
    // Another pid namespace (a container sharing the directory): its pids
    // mean nothing here.
    return true;
  }
  if (mine == 0) {
    return ::kill(tag->pid, 0) == 0 || errno == EPERM;
  }
  int error = 0;
  auto st = proc_stat(tag->pid, &error);
  if (!st) {
    return error != ENOENT; // cannot tell: alive
  }
  // Same pid, another start time: the pid was reused, the owner is dead.
  return st->start == tag->start && st->state != 'Z' && st->state != 'X';
}

Registered::Registered(fs::path path) : m_path(std::move(path))
{
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().paths.insert(m_path.string());
}

Registered::~Registered()
{
  release();
}

void Registered::release()
{
  if (!m_active) {
    return;
  }
  m_active = false;
  std::lock_guard<std::mutex> lock(registry().mutex);
  auto& paths = registry().paths;
  auto it = paths.find(m_path.string());
  if (it != paths.end()) {
    paths.erase(it);
  }
}

void add_child(pid_t pid, bool own_group)
{
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().children[pid] = own_group;
}

void remove_child(pid_t pid)
{
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().children.erase(pid);
}

void sweep(const fs::path& dir)
{
  {
    std::lock_guard<std::mutex> lock(registry().mutex);
    if (!registry().swept.insert(dir.string()).second) {
      return;
    }
  }
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    auto tag = tag_of(name);
    if (!tag || *tag == owner_tag() || !parse_tag(*tag) || owner_alive(*tag)) {
      continue;
    }
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    output::trace("cleanup: removed " + it->path().string() + " (left by " +
                  "git-hop " + tag->substr(0, tag->find('-')) + ")" +
                  (rm ? ": " + rm.message() : ""));
  }
}

fs::path temp_dir()
{
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? fs::path(tmp) : fs::path("/tmp");
}

} // namespace hop::cleanup
