// hop::Error: the one exception type libhop throws for anything a user can
// meet. It carries the exit code, factual detail lines and hints; the CLI
// layer renders it git-style (fatal:/error: + indented details + hint:).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace hop {

// Exit codes, the same as git's and libgit2's CLI.
enum ExitCode : int {
  k_exit_ok = 0,
  k_exit_failure = 1, // the command ran and found a failure (tests failed...)
  k_exit_fatal = 128, // fatal error
  k_exit_usage = 129, // bad usage
};

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message, int exit_code = k_exit_fatal);

  // Add a factual detail line (rendered indented under the message).
  Error& detail(std::string line) &;
  Error&& detail(std::string line) &&;
  // Add a hint: what the user might type next.
  Error& hint(std::string line) &;
  Error&& hint(std::string line) &&;
  Error&& code(int exit_code) &&;

  int exit_code() const { return m_exit_code; }
  const std::vector<std::string>& details() const { return m_details; }
  const std::vector<std::string>& hints() const { return m_hints; }

private:
  int m_exit_code;
  std::vector<std::string> m_details;
  std::vector<std::string> m_hints;
};

// A fatal error (exit 128).
inline Error fatal(const std::string& message)
{
  return Error(message);
}
// A usage error (exit 129).
inline Error usage_error(const std::string& message)
{
  return Error(message, k_exit_usage);
}
// A failure found by a command that ran (exit 1).
inline Error failure(const std::string& message)
{
  return Error(message, k_exit_failure);
}

// Programmer error: print "BUG: file:line: msg" and abort.
[[noreturn]] void bug(const char* file, int line, const std::string& message);

} // namespace hop

#define HOP_BUG(msg) ::hop::bug(__FILE__, __LINE__, (msg))
