#include "file.hpp"

#include "../cleanup.hpp"
#include "../error.hpp"
#include "../output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hop::util {

CloseFd::~CloseFd()
{
  ::close(fd);
}

namespace fs = std::filesystem;

std::string read_file(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw fatal("cannot read '" + path.string() + "'")
        .detail(std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& path, std::string_view content)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw fatal("cannot write '" + path.string() + "'")
        .detail(std::strerror(errno));
  }
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) {
    throw fatal("cannot write '" + path.string() + "'")
        .detail(std::strerror(errno));
  }
}

void write_file_atomic(const fs::path& path, std::string_view content,
                       std::optional<fs::perms> mode)
{
  // What a SIGKILLed git-hop left here goes first.
  cleanup::sweep(path.parent_path());
  fs::path tmp = path;
  tmp += ".hop-tmp-" + cleanup::owner_tag();
  cleanup::Registered registered(tmp);
  try {
    write_file(tmp, content);
    if (mode) {
      fs::permissions(tmp, *mode);
    }
    output::trace("write: " + path.string());
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

} // namespace hop::util
