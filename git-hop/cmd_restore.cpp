#include "cli.hpp"

#include <hop/deploy/upgrade.hpp>
#include <hop/output.hpp>

int cmd_restore(const cli::Args& args, hop::Session& session)
{
  namespace po = cli::po;
  const char* usage = "usage: git hop restore <X.Y.Z>";
  po::options_description options("Options");
  po::options_description hidden;
  hidden.add_options()("version", po::value<std::string>());
  po::positional_options_description positional;
  positional.add("version", 1);
  auto vm = cli::parse(args, options, positional, usage, &hidden);
  if (!vm.count("version")) {
    cli::usage_error("missing <X.Y.Z>", usage);
  }
  std::string text = vm["version"].as<std::string>();
  auto v = hop::Version::parse(text);
  if (!v) {
    cli::usage_error("invalid version '" + text + "': expected X.Y.Z", usage);
  }
  auto r = hop::deploy::restore(session, *v);
  if (r.development) {
    hop::output::out("The database '" + session.dbname() + "' is rebuilt at " +
                     v->str());
    return 0;
  }
  hop::output::out(
      "Restored '" + session.dbname() + "' to " + v->str() + " from " +
      r.used->path.string() +
      (r.saved ? "; the state before (" +
                     (r.from ? r.from->str() : std::string("untracked")) +
                     ") is in " + r.saved->path.string()
               : std::string()));
  return 0;
}
