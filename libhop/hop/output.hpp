// Terminal output, git-style. Primary results go to stdout (out());
// everything chatty goes to stderr: info() (silenced by -q), verbose()
// (shown with -v), warning:, error:, fatal:, hint: (one prefix per line).
// Colour only when stderr is a terminal (or --color=always), never with
// NO_COLOR. GIT_HOP_TRACE=1|2|true traces to stderr, an absolute path
// appends to that file. With GIT_HOP_TRACE_STOP=<text>, git-hop stops
// itself (SIGSTOP) after each trace line holding <text>: tests kill it at
// that step, or let it go on with SIGCONT. The programs git-hop starts do
// not inherit it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace hop {
class Error;
}

namespace hop::output {

enum class Color { automatic, always, never };

// Set verbosity (-1 quiet, 0 normal, >0 verbose) and colour policy.
void configure(int verbosity, Color color);
void set_verbosity(int verbosity);
int verbosity();

// Primary output on stdout (a newline is added).
void out(std::string_view text);
// Chatty progress line on stderr, unless -q.
void info(std::string_view text);
// Extra detail on stderr with -v.
void verbose(std::string_view text);
void warning(std::string_view text);
void error(std::string_view text);
void hint(std::string_view text);
// Render `error` with its details and hints; the prefix follows its exit
// code (fatal: for 128, error: otherwise). Only the first line of a
// multi-line message gets the prefix: the other lines come out as detail
// lines, before the details.
void render(const Error& error);

// Tracing (GIT_HOP_TRACE).
bool tracing();
// The time since `start` as trace lines give it: "3.1 ms".
std::string ms_since(std::chrono::steady_clock::time_point start);
void trace(std::string_view text);
// No more tracing, nor stopping at GIT_HOP_TRACE_STOP (a detached child,
// process::detach(), whose trace nobody reads).
void stop_tracing();

} // namespace hop::output
