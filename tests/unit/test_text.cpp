#include <hop/json.hpp>
#include <hop/sha256.hpp>
#include <hop/text.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

// A script-like text of `size` bytes: lines of ASCII, with a two-byte
// character now and then.
std::string big_text(size_t size)
{
  std::string s;
  s.reserve(size + 64);
  for (size_t i = 0; s.size() < size; ++i) {
    s += "insert into t values (" + std::to_string(i) + ", 'caf\xc3\xa9');\n";
  }
  s.resize(size);
  return s;
}

// This process's resident pages of mapped files, in KiB.
long rss_file_kib()
{
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("RssFile:", 0) == 0) {
      return std::stol(line.substr(8));
    }
  }
  return -1;
}

struct TempDir
{
  fs::path path;
  TempDir()
  {
    std::string templ = (fs::temp_directory_path() / "hop-text.XXXXXX");
    path = ::mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

struct Fd
{
  int fd;
  explicit Fd(const fs::path& p) : fd(::open(p.c_str(), O_RDONLY)) {}
  ~Fd() { ::close(fd); }
};

} // namespace

TEST_CASE("hop::mapped_copy is a snapshot of the file", "[text]")
{
  TempDir dir;
  std::string content = big_text(size_t{6} << 20);
  fs::path file = dir.path / "big.sql";
  std::ofstream(file, std::ios::binary) << content;
  hop::Text text;
  {
    Fd fd(file);
    text = hop::mapped_copy(fd.fd, "big.sql");
  }
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "changed";
  CHECK(text.size() == content.size());
  CHECK(text.view() == content);
}

TEST_CASE("hop::Text::release_before gives a mapped text's pages back",
          "[text]")
{
  TempDir dir;
  std::string content = big_text(size_t{16} << 20);
  fs::path file = dir.path / "big.sql";
  std::ofstream(file, std::ios::binary) << content;
  Fd fd(file);
  hop::Text text = hop::mapped_copy(fd.fd, "big.sql");

  long before = rss_file_kib();
  REQUIRE(before >= 0);
  unsigned sum = 0;
  for (char c : text.view()) { // every page read
    sum += static_cast<unsigned char>(c);
  }
  long read = rss_file_kib();
  CHECK(read - before >= 15L * 1024);
  text.release_before(text.size());
  long released = rss_file_kib();
  CHECK(read - released >= 15L * 1024);

  // Read again from the start: the same bytes, released again.
  unsigned again = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    again += static_cast<unsigned char>(text.view()[i]);
    text.release_before(i);
  }
  CHECK(again == sum);
  CHECK(rss_file_kib() - released < 4L * 1024);
  CHECK(text.view() == content);
}

TEST_CASE("hop::Text::release_before does nothing to a text in memory",
          "[text]")
{
  hop::Text text(std::string("select 1;"));
  text.release_before(5);
  CHECK(text.view() == "select 1;");
}

TEST_CASE("hop::temp_file leaves nothing behind", "[text]")
{
  TempDir dir;
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.path.c_str(), 1);
  int fd = hop::temp_file();
  ::setenv("TMPDIR", saved.c_str(), 1);
  if (!old) {
    ::unsetenv("TMPDIR");
  }
  REQUIRE(fd >= 0);
  CHECK(::write(fd, "abc", 3) == 3);
  CHECK(fs::is_empty(dir.path));
  hop::Text text = hop::Text::mapped(fd);
  ::close(fd);
  CHECK(text.view() == "abc");
}

TEST_CASE("hop::sha256_hex_streamed equals sha256_hex", "[text]")
{
  TempDir dir;
  std::string content = big_text((size_t{5} << 20) + 12345);
  fs::path file = dir.path / "big.sql";
  std::ofstream(file, std::ios::binary) << content;
  Fd fd(file);
  hop::Text text = hop::mapped_copy(fd.fd, "big.sql");
  CHECK(hop::sha256_hex_streamed(text) == hop::sha256_hex(content));
  CHECK(hop::sha256_hex_streamed(hop::Text("")) == hop::sha256_hex(""));
}

TEST_CASE("hop::json::Writer to a stream writes what str() holds", "[json]")
{
  // Multi-byte and ill-formed sequences on every side of the 64 KiB steps.
  std::string value = big_text(size_t{1} << 20);
  for (size_t at = 65530; at < value.size(); at += 65536) {
    value.replace(at, 4, "\xe2\x82\xac\xff");
  }
  value += "\"\\\n\x01";
  hop::Text text(value);

  hop::json::Writer whole;
  whole.begin_object().key("sql").value(value).key("n").value(1).end_object();

  std::ostringstream os;
  hop::json::Writer streamed(os);
  streamed.begin_object()
      .key("sql")
      .value_streamed(text)
      .key("n")
      .value(1)
      .end_object();
  streamed.flush();
  CHECK(os.str() == whole.str());
  CHECK(streamed.str().empty());
}
