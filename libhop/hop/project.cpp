#include "project.hpp"

#include "error.hpp"
#include "output.hpp"

#include <hop/build_info.hpp>

namespace hop {

namespace fs = std::filesystem;

std::optional<fs::path> find_project_root(const fs::path& start)
{
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec);
  if (ec) {
    return std::nullopt;
  }
  dir = dir.lexically_normal();
  while (true) {
    if (fs::is_regular_file(dir / ".hop" / "config", ec)) {
      return dir;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      return std::nullopt;
    }
    dir = dir.parent_path();
  }
}

Project load_project(const fs::path& start)
{
  auto root = find_project_root(start);
  if (!root) {
    throw fatal("not a git-hop project (or any of the parent directories): "
                ".hop/config")
        .hint("Run 'git hop new <package> --devel' to create a project from a "
              "database.");
  }
  Project p;
  p.root = *root;
  p.config = load_config(p.config_path(), ".hop/config");
  for (const auto& w : p.config.warnings) {
    output::warning(w);
  }
  check_hop_version(p.config, *Version::parse(HOP_VERSION), ".hop/config");
  p.connection = load_connection(p.config.project.name);
  return p;
}

} // namespace hop
