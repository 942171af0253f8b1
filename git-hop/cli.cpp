#include "cli.hpp"

#include <hop/cleanup.hpp>
#include <hop/output.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

namespace cli {

namespace {

class CliReporter : public hop::Reporter {
public:
  void progress(std::string_view text) override { hop::output::info(text); }
  void warning(std::string_view text) override { hop::output::warning(text); }
  void verbose(std::string_view text) override { hop::output::verbose(text); }
};

std::string format_options(const po::options_description& options)
{
  std::ostringstream os;
  os << options;
  return os.str();
}

} // namespace

hop::Reporter& reporter()
{
  static CliReporter r;
  return r;
}

void usage_error(const std::string& message, const std::string& usage,
                 const po::options_description* options)
{
  hop::output::error(message);
  std::fflush(stdout);
  std::cerr << usage << "\n";
  if (options) {
    std::cerr << "\n" << format_options(*options);
  }
  std::cerr.flush();
  throw Exit{129};
}

po::variables_map parse(const Args& args, po::options_description& options,
                        const po::positional_options_description& positional,
                        const std::string& usage,
                        const po::options_description* hidden)
{
  po::options_description common("Common options");
  common.add_options()("help,h", "show this help (--help opens the manual)")(
      "quiet,q", "print less on stderr")("verbose,v", "print more on stderr");
  po::options_description visible;
  visible.add(options).add(common);
  po::options_description all;
  all.add(visible);
  if (hidden) {
    all.add(*hidden);
  }

  po::variables_map vm;
  try {
    auto parsed = po::command_line_parser(args)
                      .options(all)
                      .positional(positional)
                      .style(po::command_line_style::unix_style ^
                             po::command_line_style::allow_guessing)
                      .run();
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    usage_error(e.what(), usage, &visible);
  }
  if (vm.count("help")) {
    for (const auto& a : args) {
      if (a == "--help") {
        throw Exit{open_manual()};
      }
    }
    std::cout << usage << "\n\n"
              << format_options(options) << "\n"
              << format_options(common);
    std::cout.flush();
    throw Exit{0};
  }
  if (vm.count("quiet")) {
    hop::output::set_verbosity(-1);
  } else if (vm.count("verbose")) {
    hop::output::set_verbosity(1);
  }
  return vm;
}

int open_manual()
{
  std::fflush(stdout);
  // man and its pager must get Ctrl-C: not blocked as they are for us.
  hop::cleanup::unblock_in_child();
  execlp("git", "git", "help", "hop", static_cast<char*>(nullptr));
  hop::output::error("cannot run 'git help hop'");
  return 128;
}

bool interactive()
{
  return isatty(STDIN_FILENO) != 0 && isatty(STDERR_FILENO) != 0;
}

} // namespace cli
