// Installing, removing and inspecting git-hop's hook scripts.
#include "../error.hpp"
#include "../git/repository.hpp"
#include "../templates.hpp"
#include "../util/file.hpp"
#include "internal.hpp"

namespace hop::hooks {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_marker = "git hop hooks run";

std::string script_of(const std::string& name)
{
  return read_data("hooks/" + name);
}

Slot slot_of(const fs::path& path, const std::string& ours)
{
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) {
    return Slot::absent;
  }
  std::string text;
  try {
    text = util::read_file(path);
  } catch (const Error&) {
    return Slot::other;
  }
  if (text == ours) {
    return Slot::ours;
  }
  return text.find(k_marker) != std::string::npos ? Slot::outdated
                                                  : Slot::other;
}

fs::path chained_path(const fs::path& dir, const std::string& name)
{
  return dir / (name + ".pre-hop");
}

void write_executable(const fs::path& path, const std::string& text)
{
  util::write_file_atomic(path, text, fs::perms(0755));
}

} // namespace

const std::vector<std::string>& names()
{
  static const std::vector<std::string> n = {"pre-commit", "pre-push"};
  return n;
}

fs::path hooks_dir(const git::Repository& repo)
{
  if (auto configured = repo.config_path("core.hooksPath")) {
    fs::path p = *configured;
    if (p.is_relative()) {
      p = repo.workdir() / p;
    }
    return p;
  }
  return repo.commondir() / "hooks";
}

std::vector<HookStatus> status(const Project& project,
                               const git::Repository& repo)
{
  std::vector<HookStatus> out;
  fs::path dir = hooks_dir(repo);
  for (const auto& name : names()) {
    HookStatus s;
    s.name = name;
    s.path = dir / name;
    s.slot = slot_of(s.path, script_of(name));
    std::error_code ec;
    s.chained = fs::exists(chained_path(dir, name), ec);
    s.enabled = detail::enabled(project, name);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> install(const fs::path& dir, bool force)
{
  // Validate every hook first, then act.
  std::vector<std::pair<std::string, std::string>> scripts;
  for (const auto& name : names()) {
    std::string ours = script_of(name);
    std::error_code ec;
    if (slot_of(dir / name, ours) == Slot::other &&
        fs::exists(chained_path(dir, name), ec) && !force) {
      throw fatal("cannot install the " + name + " hook: '" +
                  (dir / name).string() + "' is not git-hop's and '" +
                  chained_path(dir, name).string() + "' already exists")
          .detail("git-hop keeps your hook as " + name +
                  ".pre-hop and runs it first; that name is taken.")
          .hint("Move one of them away, or run 'git hop hooks install --force' "
                "to keep the current hook as " +
                name +
                ".pre-hop (replacing "
                "the file of that name).");
    }
    scripts.emplace_back(name, std::move(ours));
  }
  fs::create_directories(dir);
  std::vector<std::string> report;
  for (const auto& [name, ours] : scripts) {
    fs::path path = dir / name;
    switch (slot_of(path, ours)) {
    case Slot::absent:
      write_executable(path, ours);
      report.push_back(name + ": installed");
      break;
    case Slot::ours:
      report.push_back(name + ": up to date");
      break;
    case Slot::outdated:
      write_executable(path, ours);
      report.push_back(name + ": updated");
      break;
    case Slot::other:
      fs::rename(path, chained_path(dir, name));
      write_executable(path, ours);
      report.push_back(name + ": installed; your hook runs first (kept as " +
                       name + ".pre-hop)");
      break;
    }
  }
  return report;
}

std::vector<std::string> uninstall(const fs::path& dir)
{
  std::vector<std::string> report;
  for (const auto& name : names()) {
    fs::path path = dir / name;
    fs::path chained = chained_path(dir, name);
    std::error_code ec;
    Slot slot = slot_of(path, script_of(name));
    if (slot == Slot::other) {
      report.push_back(name + ": left alone (not git-hop's)");
      continue;
    }
    if (slot != Slot::absent) {
      fs::remove(path);
    }
    if (fs::exists(chained, ec)) {
      fs::rename(chained, path);
      report.push_back(name + ": removed; your hook is back");
    } else {
      report.push_back(
          name + (slot == Slot::absent ? ": not installed" : ": removed"));
    }
  }
  return report;
}

} // namespace hop::hooks
