#include "error.hpp"

#include <cstdio>
#include <cstdlib>

namespace hop {

Error::Error(const std::string& message, int exit_code)
    : std::runtime_error(message), m_exit_code(exit_code)
{
}

Error& Error::detail(std::string line) &
{
  m_details.push_back(std::move(line));
  return *this;
}

Error&& Error::detail(std::string line) &&
{
  m_details.push_back(std::move(line));
  return std::move(*this);
}

Error& Error::hint(std::string line) &
{
  m_hints.push_back(std::move(line));
  return *this;
}

Error&& Error::hint(std::string line) &&
{
  m_hints.push_back(std::move(line));
  return std::move(*this);
}

Error&& Error::code(int exit_code) &&
{
  m_exit_code = exit_code;
  return std::move(*this);
}

void bug(const char* file, int line, const std::string& message)
{
  std::fflush(stdout);
  std::fprintf(stderr, "BUG: %s:%d: %s\n", file, line, message.c_str());
  std::abort();
}

} // namespace hop
