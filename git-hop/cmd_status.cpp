#include "cli.hpp"

#include <hop/build_info.hpp>
#include <hop/output.hpp>
#include <hop/project.hpp>
#include <hop/status.hpp>

#include <filesystem>
#include <iostream>

int cmd_status(const cli::Args& args, hop::Session& session)
{
  namespace po = cli::po;
  const char* usage = "usage: git hop status [--format=text|json]";
  po::options_description options("Options");
  options.add_options()(
      "format",
      po::value<std::string>()->default_value("text")->value_name("<format>"),
      "text or json");
  auto vm = cli::parse(args, options, {}, usage);
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    cli::usage_error("invalid --format '" + format + "': expected text or json",
                     usage);
  }

  hop::StatusReport report = hop::collect_status(session);
  if (format == "json") {
    std::cout << hop::render_status_json(report, HOP_VERSION);
    return 0;
  }
  std::cout << hop::render_status_text(report);
  if (!report.database.reachable) {
    hop::output::warning("cannot connect to database '" + report.database.name +
                         "'");
  }
  return 0;
}
