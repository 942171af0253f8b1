#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/release.hpp>

#include <filesystem>
#include <iostream>

namespace {

const char* const k_usage =
    "usage: git hop prepare -l patch|minor|major -m <message>";

std::string ask(const std::string& question)
{
  std::cerr << question << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer;
}

} // namespace

int cmd_prepare(const cli::Args& args, hop::Session& session)
{
  namespace po = cli::po;
  po::options_description options("Options");
  options.add_options()("level,l",
                        po::value<std::string>()->value_name("<level>"),
                        "patch, minor or major")(
      "message,m", po::value<std::string>()->value_name("<message>"),
      "the release's changelog line");
  auto vm = cli::parse(args, options, {}, k_usage);

  hop::release::PrepareOptions o;
  std::string level;
  if (vm.count("level")) {
    level = vm["level"].as<std::string>();
  } else if (cli::interactive()) {
    level = ask("Release level (patch, minor, major): ");
  } else {
    cli::usage_error("missing --level (stdin is not a terminal)", k_usage);
  }
  o.level = hop::parse_level(level);
  if (!o.level) {
    cli::usage_error("invalid level '" + level +
                         "': expected patch, minor or major",
                     k_usage);
  }
  if (vm.count("message")) {
    o.message = vm["message"].as<std::string>();
  } else if (cli::interactive()) {
    o.message = ask("Release message (empty to abort): ");
    if (o.message->empty()) {
      hop::output::info("Aborting: nothing was changed.");
      return 1;
    }
  } else {
    cli::usage_error("missing --message (stdin is not a terminal)", k_usage);
  }

  auto r = hop::release::prepare(session, o);
  hop::output::out("Preparing " + r.version.str() + " on branch " + r.branch);
  hop::output::hint("Write the scripts in " + r.version.patch_dir() +
                    "/ (*.sql, *.py), then run 'git hop apply'.");
  return 0;
}
