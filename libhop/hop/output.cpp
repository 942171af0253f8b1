#include "output.hpp"

#include "error.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace hop::output {

namespace {

int g_verbosity = 0;
Color g_color = Color::automatic;

struct Tracer
{
  bool enabled = false;
  FILE* file = nullptr;
  bool owned = false;
  std::string stop_at; // GIT_HOP_TRACE_STOP

  Tracer()
  {
    const char* stop = std::getenv("GIT_HOP_TRACE_STOP");
    if (stop && *stop) {
      stop_at = stop;
    }
    // For this git-hop only: the one a hook of its git push runs must not
    // stop in its place.
    unsetenv("GIT_HOP_TRACE_STOP");
    const char* value = std::getenv("GIT_HOP_TRACE");
    if (!value) {
      return;
    }
    std::string v = value;
    if (v.empty() || v == "0" || v == "false" || v == "no") {
      return;
    }
    if (v[0] == '/') {
      file = std::fopen(v.c_str(), "a");
      if (!file) {
        std::fprintf(stderr,
                     "warning: cannot open trace file '%s' given by "
                     "GIT_HOP_TRACE\n",
                     v.c_str());
        return;
      }
      owned = true;
    } else {
      file = stderr;
    }
    enabled = true;
  }
  ~Tracer()
  {
    if (owned) {
      std::fclose(file);
    }
  }
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;
};

Tracer& tracer()
{
  static Tracer t;
  return t;
}

// Read the environment before main, before any child is started.
const bool g_tracer_ready = (tracer(), true);

bool use_color()
{
  switch (g_color) {
  case Color::always:
    return true;
  case Color::never:
    return false;
  case Color::automatic:
    break;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) {
    return false;
  }
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") {
    return false;
  }
  return isatty(STDERR_FILENO) != 0;
}

void prefixed(std::string_view prefix, const char* color, std::string_view text)
{
  std::fflush(stdout);
  bool colored = use_color();
  size_t start = 0;
  do {
    size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos
                                                   ? std::string_view::npos
                                                   : end - start);
    if (colored) {
      std::fprintf(stderr, "%s%.*s\033[m%.*s\n", color,
                   static_cast<int>(prefix.size()), prefix.data(),
                   static_cast<int>(line.size()), line.data());
    } else {
      std::fprintf(stderr, "%.*s%.*s\n", static_cast<int>(prefix.size()),
                   prefix.data(), static_cast<int>(line.size()), line.data());
    }
    if (end == std::string_view::npos) {
      break;
    }
    start = end + 1;
  } while (start < text.size());
}

void plain(std::string_view text)
{
  std::fflush(stdout);
  std::fprintf(stderr, "%.*s\n", static_cast<int>(text.size()), text.data());
}

} // namespace

void configure(int verbosity, Color color)
{
  g_verbosity = verbosity;
  g_color = color;
}

void set_verbosity(int verbosity)
{
  g_verbosity = verbosity;
}

int verbosity()
{
  return g_verbosity;
}

void out(std::string_view text)
{
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void info(std::string_view text)
{
  if (g_verbosity >= 0) {
    plain(text);
  }
}

void verbose(std::string_view text)
{
  if (g_verbosity > 0) {
    plain(text);
  }
}

void warning(std::string_view text)
{
  prefixed("warning: ", "\033[1;33m", text);
}

void error(std::string_view text)
{
  prefixed("error: ", "\033[1;31m", text);
}

void hint(std::string_view text)
{
  if (g_verbosity >= 0) {
    prefixed("hint: ", "\033[33m", text);
  }
}

void render(const Error& e)
{
  // One fatal: (or error:) line; the rest of a multi-line message (a
  // server's, libpq's) follows as detail lines.
  std::string_view message = e.what();
  size_t eol = message.find('\n');
  std::string_view first = message.substr(0, eol);
  if (e.exit_code() == k_exit_fatal) {
    prefixed("fatal: ", "\033[1;31m", first);
  } else {
    prefixed("error: ", "\033[1;31m", first);
  }
  while (eol != std::string_view::npos) {
    message.remove_prefix(eol + 1);
    eol = message.find('\n');
    std::string_view line = message.substr(0, eol);
    size_t text = line.find_first_not_of(" \t");
    if (text != std::string_view::npos) {
      prefixed("  ", "", line.substr(text));
    }
  }
  for (const auto& d : e.details()) {
    prefixed("  ", "", d);
  }
  for (const auto& h : e.hints()) {
    prefixed("hint: ", "\033[33m", h);
  }
}

bool tracing()
{
  return tracer().enabled;
}

std::string ms_since(std::chrono::steady_clock::time_point start)
{
  auto ms = std::chrono::duration<double, std::milli>(
                std::chrono::steady_clock::now() - start)
                .count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

void stop_tracing()
{
  Tracer& t = tracer();
  t.enabled = false;
  t.stop_at.clear();
}

void trace(std::string_view text)
{
  Tracer& t = tracer();
  if (!t.enabled) {
    return;
  }
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto usec = std::chrono::duration_cast<std::chrono::microseconds>(
                  now.time_since_epoch())
                  .count() %
              1000000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  std::fflush(stdout);
  std::fprintf(t.file, "%02d:%02d:%02d.%06lld trace: %.*s\n", tm.tm_hour,
               tm.tm_min, tm.tm_sec, static_cast<long long>(usec),
               static_cast<int>(text.size()), text.data());
  std::fflush(t.file);
  // Fault injection: stop here, for a test to kill git-hop at this step
  // (or to let it go on with SIGCONT).
  if (!t.stop_at.empty() && text.find(t.stop_at) != std::string_view::npos) {
    std::raise(SIGSTOP);
  }
}

} // namespace hop::output
