#include "cli.hpp"

#include <hop/error.hpp>
#include <hop/git/repository.hpp>
#include <hop/hooks.hpp>
#include <hop/output.hpp>
#include <hop/project.hpp>

#include <filesystem>
#include <iostream>

namespace {

const char* const k_usage = "usage: git hop hooks install [--force]\n"
                            "   or: git hop hooks uninstall\n"
                            "   or: git hop hooks status\n"
                            "   or: git hop hooks run <hook> [<args>...]";

// git hook run <hook>: git's arguments pass through untouched.
int run_hook(const cli::Args& args, hop::Session& session)
{
  if (args.size() < 2) {
    cli::usage_error("missing <hook>", k_usage);
  }
  cli::Args rest(args.begin() + 2, args.end());
  try {
    hop::hooks::Report report =
        hop::hooks::run(session, args[1], rest, std::cin);
    for (const auto& w : report.warnings) {
      hop::output::warning(w);
    }
    for (const auto& e : report.problems) {
      hop::output::render(e);
    }
    for (const auto& h : report.hints) {
      hop::output::hint(h);
    }
    return report.status;
  } catch (const hop::Error& e) {
    if (e.exit_code() == hop::k_exit_usage) {
      throw;
    }
    // A hook that cannot check stops the commit or push: status 1.
    hop::output::render(e);
    return 1;
  }
}

std::string describe(const hop::hooks::HookStatus& s)
{
  std::string state;
  switch (s.slot) {
  case hop::hooks::Slot::absent:
    state = "not installed";
    break;
  case hop::hooks::Slot::ours:
    state = "installed";
    break;
  case hop::hooks::Slot::outdated:
    state = "installed (outdated: run 'git hop hooks install')";
    break;
  case hop::hooks::Slot::other:
    state = "another hook (not git-hop's)";
    break;
  }
  if (s.chained) {
    state += ", runs " + s.name + ".pre-hop first";
  }
  if (!s.enabled) {
    state += ", turned off in .hop/config";
  }
  return s.name + ": " + state + "  (" + s.path.string() + ")";
}

} // namespace

int cmd_hooks(const cli::Args& args, hop::Session& session)
{
  if (args.empty()) {
    cli::usage_error("missing subcommand", k_usage);
  }
  const std::string& verb = args[0];
  if (verb == "-h" || verb == "--help") {
    cli::po::options_description none("Options");
    cli::parse(args, none, {}, k_usage);
  }
  if (verb == "run") {
    return run_hook(args, session);
  }
  cli::Args rest(args.begin() + 1, args.end());
  cli::po::options_description options("Options");
  if (verb == "install") {
    options.add_options()("force", "keep the current hook as <hook>.pre-hop "
                                   "even when that file exists");
  } else if (verb != "uninstall" && verb != "status") {
    cli::usage_error("unknown subcommand '" + verb + "'", k_usage);
  }
  auto vm = cli::parse(rest, options, {}, k_usage);

  const hop::Project& project = session.project();
  hop::git::Repository& repo = session.repo();
  std::filesystem::path dir = hop::hooks::hooks_dir(repo);
  if (verb == "status") {
    for (const auto& s : hop::hooks::status(project, repo)) {
      hop::output::out(describe(s));
    }
    return 0;
  }
  auto report = verb == "install"
                    ? hop::hooks::install(dir, vm.count("force") != 0)
                    : hop::hooks::uninstall(dir);
  for (const auto& line : report) {
    hop::output::out(line);
  }
  return 0;
}
