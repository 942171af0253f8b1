#include "scratch.hpp"

#include "cleanup.hpp"
#include "error.hpp"
#include "templates.hpp"
#include "util/file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace hop {

namespace fs = std::filesystem;

TempDir::TempDir(const std::string& prefix)
{
  fs::path dir = cleanup::temp_dir();
  // What killed git-hops left there (their connection files hold
  // passwords).
  cleanup::sweep(dir);
  // The owner's tag in the name: the next git-hop knows whose it is.
  std::string pattern =
      (dir / (prefix + "." + cleanup::owner_tag() + ".XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    throw fatal("cannot create a temporary directory in '" + dir.string() + "'")
        .detail(std::strerror(errno));
  }
  m_path = buf.data();
  m_registered.emplace(m_path);
}

TempDir::~TempDir()
{
  std::error_code ec;
  fs::remove_all(m_path, ec);
  m_registered.reset();
}

fs::path runtime_dir()
{
  fs::path dir = datadir() / "templates" / "runtime";
  std::error_code ec;
  if (!fs::is_regular_file(dir / "sitecustomize.py", ec)) {
    throw fatal("git-hop's Python runtime is missing")
        .detail("looked for " + (dir / "sitecustomize.py").string())
        .hint(
            "Reinstall git-hop, or point GIT_HOP_DATADIR at its share/git-hop "
            "directory.");
  }
  return dir;
}

std::map<std::string, std::string>
connection_environment(const Project& project,
                       const ConnectionSettings& settings,
                       const fs::path& conf_dir, const fs::path& code_root)
{
  std::map<std::string, std::string> env = settings.environment();
  const std::string& package = project.config.project.name;
  ConnectionSettings file = settings;
  file.production = false;
  util::write_file(conf_dir / package, render_connection_file(file));
  env["HALFORM_CONF_DIR"] = conf_dir.string();
  const char* old = std::getenv("PYTHONPATH");
  env["PYTHONPATH"] = runtime_dir().string() + ":" +
                      (code_root.empty() ? project.root : code_root).string() +
                      (old && *old ? ":" + std::string(old) : "");
  env["GIT_HOP_DATABASE"] = settings.name.value_or(package);
  env["GIT_HOP_LOGICAL_DATABASE"] = project.connection.name.value_or(package);
  return env;
}

} // namespace hop
