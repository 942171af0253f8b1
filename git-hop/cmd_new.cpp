#include "cli.hpp"

#include <hop/output.hpp>
#include <hop/project_new.hpp>

#include <filesystem>
#include <iostream>
#include <string>

namespace {

const char* const k_usage =
    "usage: git hop new <package> [--devel] [--database <name>] "
    "[--create-database]";

bool ask_create(const std::string& dbname)
{
  std::cerr << "Database '" << dbname << "' does not exist. Create it? [Y/n] "
            << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    return false;
  }
  return answer.empty() || answer == "y" || answer == "Y" || answer == "yes";
}

} // namespace

int cmd_new(const cli::Args& args, hop::Session& session)
{
  namespace po = cli::po;
  po::options_description options("Options");
  po::options_description hidden;
  hidden.add_options()("package", po::value<std::string>());
  options.add_options()(
      "devel", "track releases: half_orm_meta, baseline and tag 0.0.0")(
      "database", po::value<std::string>()->value_name("<name>"),
      "database to use (default: the connection file's, else <package>)")(
      "create-database", "create the database when it does not exist");
  po::positional_options_description positional;
  positional.add("package", 1);
  auto vm = cli::parse(args, options, positional, k_usage, &hidden);
  if (!vm.count("package")) {
    cli::usage_error("missing <package>", k_usage);
  }

  hop::NewOptions o;
  o.package = vm["package"].as<std::string>();
  o.devel = vm.count("devel") != 0;
  if (vm.count("database")) {
    o.database = vm["database"].as<std::string>();
  }
  o.create_database = vm.count("create-database") != 0;
  if (cli::interactive()) {
    o.confirm_create = ask_create;
  }
  o.cwd = std::filesystem::current_path();

  hop::NewResult r = hop::create_project(o, session.report());

  if (!r.hooks_installed) {
    hop::output::warning("core.hooksPath is set: git-hop's hooks were not "
                         "installed");
    hop::output::hint("Run 'git hop hooks install' in the project to install "
                      "them there.");
  }
  if (r.wrote_connection_file) {
    hop::output::info("Wrote the connection file '" +
                      r.wrote_connection_file->string() + "'.");
  }
  if (r.release) {
    hop::output::info(std::string(r.reused_meta ? "Reused" : "Created") +
                      " half_orm_meta in database '" + r.database +
                      "': release " + r.release->str() + ".");
  }
  hop::output::out("Created git-hop project '" + o.package + "' in " +
                   r.root.string());
  hop::output::hint("Run 'cd " + o.package + " && git hop status'.");
  return 0;
}
