#include "text.hpp"

#include "error.hpp"
#include "util/file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace hop {

struct Text::Mapping
{
  void* addr = nullptr;
  size_t size = 0;
  // Pages before this offset were given back last time; a smaller offset
  // means a reader started again from nearer the start.
  size_t released = 0;

  Mapping() = default;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping()
  {
    if (addr != nullptr) {
      ::munmap(addr, size);
    }
  }
};

namespace {

[[noreturn]] void system_error(const std::string& what)
{
  throw fatal(what).detail(std::strerror(errno));
}

size_t page_size()
{
  static const auto size = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// Copy up to 64 KiB of `in` at `offset` to the end of `out`; the bytes
// copied (0 at the end of `in`).
ssize_t copy_by_hand(int in, loff_t offset, int out, const std::string& what)
{
  char buf[65536];
  ssize_t r = 0;
  do {
    r = ::pread(in, buf, sizeof buf, offset);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    system_error("cannot read '" + what + "'");
  }
  for (ssize_t w = 0; w < r;) {
    ssize_t k = ::write(out, buf + w, static_cast<size_t>(r - w));
    if (k < 0 && errno == EINTR) {
      continue;
    }
    if (k < 0) {
      system_error("cannot copy '" + what + "' into a temporary file");
    }
    w += k;
  }
  return r;
}

} // namespace

Text Text::mapped(int fd)
{
  struct stat st
  {
  };
  if (::fstat(fd, &st) != 0) {
    system_error("cannot read a temporary file");
  }
  auto size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    return Text(std::string());
  }
  auto mapping = std::make_shared<Mapping>();
  mapping->addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (mapping->addr == MAP_FAILED) {
    mapping->addr = nullptr;
    system_error("cannot map a temporary file into memory");
  }
  mapping->size = size;
  ::madvise(mapping->addr, size, MADV_SEQUENTIAL);
  Text text;
  text.m_view = std::string_view(static_cast<const char*>(mapping->addr), size);
  text.m_mapping = mapping.get();
  text.m_owner = std::move(mapping);
  return text;
}

void Text::release_before(size_t offset) const
{
  if (m_mapping == nullptr) {
    return;
  }
  Mapping& m = *m_mapping;
  auto base =
      static_cast<size_t>(m_view.data() - static_cast<const char*>(m.addr));
  size_t end = std::min(base + offset, m.size) / page_size() * page_size();
  if (end < m.released) {
    m.released = 0; // read again from nearer the start
  }
  constexpr size_t k_step = size_t{1} << 20;
  if (end < m.released + k_step) {
    return;
  }
  // Only pages read since: from the last release point (or the start).
  size_t from = m.released;
  ::madvise(static_cast<char*>(m.addr) + from, end - from, MADV_DONTNEED);
  m.released = end;
}

int temp_file()
{
  const char* env = std::getenv("TMPDIR");
  std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) {
    return fd;
  }
  // A file system without O_TMPFILE: create, then unlink at once.
  std::string templ = dir + "/git-hop-text.XXXXXX";
  fd = ::mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) {
    throw fatal("cannot create a temporary file in " + dir)
        .detail(std::strerror(errno))
        .hint("Set TMPDIR to a writable directory.");
  }
  ::unlink(templ.c_str());
  return fd;
}

Text mapped_copy(int fd, const std::string& what)
{
  int out = temp_file();
  util::CloseFd closer{out};
  loff_t in_off = 0;
  constexpr size_t k_chunk = size_t{1} << 30;
  while (true) {
    ssize_t n = ::copy_file_range(fd, &in_off, out, nullptr, k_chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
                  errno == EOPNOTSUPP)) {
      n = copy_by_hand(fd, in_off, out, what); // no in-kernel copy here
    } else if (n < 0) {
      system_error("cannot copy '" + what + "' into a temporary file");
    }
    if (n == 0) {
      break;
    }
    in_off += n;
  }
  return Text::mapped(out);
}

} // namespace hop
