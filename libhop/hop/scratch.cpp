#include "scratch.hpp"

#include "error.hpp"
#include "templates.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace hop {

namespace fs = std::filesystem;

ScratchDir::ScratchDir(const std::string& prefix)
{
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/" + prefix + ".XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    throw fatal("cannot create a temporary directory")
        .detail(std::strerror(errno));
  }
  m_path = buf.data();
}

ScratchDir::~ScratchDir()
{
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

std::map<std::string, std::string>
connection_environment(const Project& project,
                       const ConnectionSettings& settings,
                       const fs::path& conf_dir)
{
  std::map<std::string, std::string> env = settings.environment();
  ConnectionSettings file = settings;
  file.production = false;
  write_file(conf_dir / project.config.project.name,
             render_connection_file(file));
  env["HALFORM_CONF_DIR"] = conf_dir.string();
  const char* old = std::getenv("PYTHONPATH");
  env["PYTHONPATH"] =
      project.root.string() + (old && *old ? ":" + std::string(old) : "");
  return env;
}

} // namespace hop
