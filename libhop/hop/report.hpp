// How libhop tells the user about progress and warnings without printing:
// it calls the Reporter of the session, which the CLI renders (design §3:
// libhop never prints; git-hop/ and hop/output do).
#pragma once

#include <string_view>

namespace hop {

class Reporter {
public:
  virtual ~Reporter() = default;
  // A chatty progress line ("Applying 0.1.0 on 0.0.0 to 'blog'.").
  virtual void progress(std::string_view text) = 0;
  // Something the user should know that does not stop the command.
  virtual void warning(std::string_view text) = 0;
  // Output of a child the user may want to see with -v.
  virtual void verbose(std::string_view text) = 0;
};

// A reporter that drops everything (for code run without a CLI).
Reporter& null_reporter();

} // namespace hop
