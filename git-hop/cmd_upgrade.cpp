#include "cli.hpp"

#include <hop/build_info.hpp>
#include <hop/deploy/upgrade.hpp>
#include <hop/error.hpp>
#include <hop/output.hpp>

#include <cstdio>
#include <iostream>

namespace {

const char* const k_usage =
    "usage: git hop upgrade [--to <X.Y.Z>] [--dry-run] [--format=text|json]\n"
    "                       [--lock-wait <seconds>] [--init] [--allow-drift]\n"
    "                       [--allow-blocking]";

std::string ms_text(double ms)
{
  char buf[32];
  if (ms < 1000) {
    std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f s", ms / 1000);
  }
  return buf;
}

// What --dry-run found that the upgrade would refuse: the dry run ran and
// found it (exit 1).
int print_refusals(const hop::deploy::UpgradePlan& plan)
{
  std::cout.flush();
  for (const auto& e : plan.refusals) {
    hop::Error shown(e.what(), hop::k_exit_failure);
    for (const auto& d : e.details()) {
      shown.detail(d);
    }
    for (const auto& h : e.hints()) {
      shown.hint(h);
    }
    hop::output::render(shown);
  }
  return plan.refusals.empty() ? 0 : 1;
}

// The text of an upgrade that ran: a line per release, then a summary.
int print_result(const hop::deploy::UpgradeResult& r)
{
  const auto& p = r.plan;
  if (r.already) {
    hop::output::out("Database '" + p.database + "' is at " +
                     (p.from ? p.from->str() : std::string("?")) +
                     ": nothing to upgrade");
    return 0;
  }
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const auto& run = r.runs[i];
    std::string line = run.version.str() + "  " + ms_text(run.ms);
    if (i < p.releases.size() && !p.releases[i].message.empty()) {
      line += "  " + p.releases[i].message;
    }
    if (run.attempts > 1) {
      line += "  (" + std::to_string(run.attempts) + " attempts)";
    }
    hop::output::out(line);
  }
  hop::output::out(
      "Upgraded '" + p.database + "' from " +
      (p.from ? p.from->str() : std::string("an untracked database")) + " to " +
      (p.to ? p.to->str() : std::string("?")) + ": " +
      std::to_string(r.runs.size()) +
      (r.runs.size() == 1 ? " release" : " releases") + " in " + ms_text(r.ms) +
      (r.backup ? "; backup: " + r.backup->path.string() : std::string()));
  return 0;
}

} // namespace

int cmd_upgrade(const cli::Args& args, hop::Session& session)
{
  namespace po = cli::po;
  po::options_description options("Options");
  options.add_options()("to", po::value<std::string>()->value_name("<X.Y.Z>"),
                        "stop at this release (default: the last one)")(
      "dry-run", "print the plan (releases, scripts, SQL) and change nothing")(
      "format",
      po::value<std::string>()->default_value("text")->value_name("<format>"),
      "text or json")("lock-wait",
                      po::value<long long>()->value_name("<seconds>"),
                      "wait at most this long for another git-hop (default "
                      "[deploy] lock_wait, 60)")(
      "init", "start tracking a database without half_orm_meta")(
      "allow-drift", "upgrade a database whose schema differs from its "
                     "release's baseline")(
      "allow-blocking", "run statements that lock or rewrite big tables "
                        "([deploy] max_locked_rows)");
  auto vm = cli::parse(args, options, {}, k_usage);
  hop::deploy::UpgradeOptions o;
  if (vm.count("to")) {
    std::string to = vm["to"].as<std::string>();
    o.to = hop::Version::parse(to);
    if (!o.to) {
      cli::usage_error("invalid --to '" + to + "': expected X.Y.Z", k_usage);
    }
  }
  std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") {
    cli::usage_error("invalid --format '" + format + "': expected text or json",
                     k_usage);
  }
  if (vm.count("lock-wait")) {
    long long s = vm["lock-wait"].as<long long>();
    if (s < 0) {
      cli::usage_error("invalid --lock-wait: a number of seconds >= 0",
                       k_usage);
    }
    o.lock_wait_ms = s * 1000;
  }
  o.dry_run = vm.count("dry-run") != 0;
  o.init = vm.count("init") != 0;
  o.allow_drift = vm.count("allow-drift") != 0;
  o.allow_blocking = vm.count("allow-blocking") != 0;

  auto r = hop::deploy::upgrade(session, o);
  for (const auto& w : r.plan.warnings) {
    hop::output::warning(w);
  }
  for (const auto& d : r.plan.drift) {
    hop::output::warning("drift: " + d);
  }
  for (const auto& b : r.plan.blocking) {
    hop::output::warning("blocking: " + b.describe());
  }
  if (format == "json") {
    if (o.dry_run) {
      hop::deploy::write_plan_json(std::cout, r.plan, HOP_VERSION);
    } else {
      hop::deploy::write_result_json(std::cout, r, HOP_VERSION);
    }
  } else if (o.dry_run) {
    hop::deploy::write_plan_text(std::cout, r.plan);
  }
  if (o.dry_run) {
    return print_refusals(r.plan);
  }
  if (format == "json") {
    return 0;
  }
  return print_result(r);
}
