// Shared plumbing of the command files: option parsing with git's
// conventions (-h prints usage and exits 0, a bad option prints usage and
// exits 129), the common -q/-v options, and the command table.
#pragma once

#include <hop/session.hpp>

#include <boost/program_options.hpp>

#include <string>
#include <vector>

namespace cli {

namespace po = boost::program_options;

// Thrown to end the command with an exit code after output was written.
struct Exit
{
  int code;
};

using Args = std::vector<std::string>;

struct Command
{
  const char* name;
  int (*run)(const Args& args, hop::Session& session);
  const char* summary;
  // What the session must hold before the command acts (git's
  // RUN_SETUP): checked when the command first uses the session, after
  // its options parsed, so that -h and usage errors work anywhere.
  hop::Needs needs;
};

// The command table, sorted by name.
const std::vector<Command>& commands();

// Parse `args` with `options` (to which -h/--help/-q/-v are added),
// `positional` and the options in `hidden` (the positional arguments: not
// listed in the help). Handles help and usage errors by throwing Exit.
po::variables_map parse(const Args& args, po::options_description& options,
                        const po::positional_options_description& positional,
                        const std::string& usage,
                        const po::options_description* hidden = nullptr);

// The reporter that renders libhop's progress and warnings.
hop::Reporter& reporter();

// Print "error: <message>" and the usage on stderr, then throw Exit{129}.
[[noreturn]] void usage_error(const std::string& message,
                              const std::string& usage,
                              const po::options_description* options = nullptr);

// Open git-hop(1) the way 'git help hop' does.
int open_manual();

// Whether stdin is a terminal we may ask questions on.
bool interactive();

} // namespace cli
