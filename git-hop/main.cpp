// git-hop: the executable behind 'git hop'. Reads the global options,
// finds the command in the table and runs it; the only place errors are
// caught and rendered.
#include "cli.hpp"

#include <hop/build_info.hpp>
#include <hop/cleanup.hpp>
#include <hop/error.hpp>
#include <hop/output.hpp>
#include <hop/util/string.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

namespace {

const char* const k_usage =
    "usage: git hop [--version] [-h | --help] [-q | --quiet] [-v | --verbose]\n"
    "               [--color=<when>] [<command> [<args>]]";

void print_usage(std::ostream& os)
{
  os << k_usage << "\n\n"
     << "'git hop' alone is 'git hop status'.\n\n"
     << "Commands:\n";
  for (const auto& c : cli::commands()) {
    std::string name = c.name;
    name.resize(std::max<size_t>(name.size() + 2, 12), ' ');
    os << "   " << name << c.summary << "\n";
  }
  os << "\nSee 'git hop <command> -h' for a command's options and "
        "'git hop --help' for the manual.\n";
}

int unknown_command(const std::string& name)
{
  std::fflush(stdout);
  std::fprintf(stderr,
               "git hop: '%s' is not a git-hop command. See 'git hop "
               "--help'.\n",
               name.c_str());
  const cli::Command* best = nullptr;
  size_t best_distance = 0;
  for (const auto& c : cli::commands()) {
    size_t d = hop::util::edit_distance(name, c.name);
    if (std::string(c.name).rfind(name, 0) == 0) {
      d = 0;
    }
    if (!best || d < best_distance) {
      best = &c;
      best_distance = d;
    }
  }
  if (best && best_distance <= std::max<size_t>(2, name.size() / 2)) {
    std::fprintf(stderr, "\nThe most similar command is\n\t%s\n", best->name);
  }
  return 1;
}

int bad_usage(const std::string& message)
{
  hop::output::error(message);
  print_usage(std::cerr);
  return 129;
}

// `--color[=<when>]`: the colour, or nullopt when <when> is not one.
std::optional<hop::output::Color> parse_color(const std::string& arg)
{
  std::string when = arg == "--color" ? "always" : arg.substr(8);
  if (when == "always") {
    return hop::output::Color::always;
  }
  if (when == "never") {
    return hop::output::Color::never;
  }
  if (when == "auto") {
    return hop::output::Color::automatic;
  }
  return std::nullopt;
}

int run(int argc, char** argv)
{
  int verbosity = 0;
  auto color = hop::output::Color::automatic;
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    std::string arg = argv[i];
    if (arg == "--version") {
      std::cout << "git-hop version " << HOP_VERSION << "\n";
      return 0;
    }
    if (arg == "-h") {
      print_usage(std::cout);
      return 0;
    }
    if (arg == "--help") {
      return cli::open_manual();
    }
    if (arg == "-q" || arg == "--quiet") {
      verbosity = -1;
    } else if (arg == "-v" || arg == "--verbose") {
      verbosity = 1;
    } else if (arg == "--no-color") {
      color = hop::output::Color::never;
    } else if (arg == "--color" || arg.rfind("--color=", 0) == 0) {
      auto c = parse_color(arg);
      if (!c) {
        return bad_usage("invalid --color value '" + arg.substr(8) +
                         "': expected always, never or auto");
      }
      color = *c;
    } else {
      return bad_usage("unknown option '" + arg + "'");
    }
  }
  hop::output::configure(verbosity, color);
  // From here on SIGINT/SIGTERM/SIGHUP stop the children and remove the
  // temporary files first (before: --version, -h, --help exec man).
  hop::cleanup::handle_signals();

  std::string name = i < argc ? argv[i++] : "status";
  cli::Args args(argv + i, argv + argc);
  for (const auto& c : cli::commands()) {
    if (name == c.name) {
      hop::Session session(std::filesystem::current_path(), cli::reporter());
      session.expect(c.needs, c.name);
      return c.run(args, session);
    }
  }
  return unknown_command(name);
}

} // namespace

int main(int argc, char** argv)
{
  // Stopped by a signal: the command dies of it, with no message (what
  // failed meanwhile failed because of it).
  using hop::cleanup::hold_if_terminating;
  try {
    int code = run(argc, argv);
    hold_if_terminating();
    return code;
  } catch (const cli::Exit& e) {
    hold_if_terminating();
    return e.code;
  } catch (const hop::Error& e) {
    hold_if_terminating();
    hop::output::render(e);
    return e.exit_code();
  } catch (const std::exception& e) {
    hold_if_terminating();
    hop::output::render(hop::fatal(e.what()));
    return hop::k_exit_fatal;
  }
}
