#include <hop/error.hpp>
#include <hop/util/file.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <string>

namespace fs = std::filesystem;
using hop::util::read_file;
using hop::util::write_file;
using hop::util::write_file_atomic;

namespace {

// A fresh directory, removed at the end of the test.
struct TempDir
{
  fs::path path;
  TempDir()
  {
    char tmpl[] = "/tmp/git-hop-unit-file-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    path = tmpl;
  }
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

} // namespace

TEST_CASE("hop::util::read_file, write_file", "[util]")
{
  TempDir tmp;
  fs::path f = tmp.path / "a.txt";
  SECTION("the bytes written are the bytes read, NUL and CRLF included")
  {
    std::string bytes("x\0y\r\n", 5);
    write_file(f, bytes);
    CHECK(read_file(f) == bytes);
  }
  SECTION("write_file truncates")
  {
    write_file(f, "longer text\n");
    write_file(f, "short\n");
    CHECK(read_file(f) == "short\n");
  }
  SECTION("a missing file is a fatal error naming it")
  {
    try {
      read_file(tmp.path / "missing");
      FAIL("no error");
    } catch (const hop::Error& e) {
      CHECK(std::string(e.what()) ==
            "cannot read '" + (tmp.path / "missing").string() + "'");
      CHECK(e.exit_code() == 128);
    }
  }
  SECTION("writing into a missing directory is a fatal error")
  {
    CHECK_THROWS_AS(write_file(tmp.path / "no" / "a.txt", "x"), hop::Error);
  }
}

TEST_CASE("hop::util::write_file_atomic", "[util]")
{
  TempDir tmp;
  fs::path f = tmp.path / "hook";
  write_file(f, "old\n");
  write_file_atomic(f, "new\n", fs::perms(0755));
  CHECK(read_file(f) == "new\n");
  struct stat st
  {
  };
  REQUIRE(stat(f.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0755);
  // Nothing left beside it: the temporary file was renamed over it.
  CHECK(std::distance(fs::directory_iterator(tmp.path),
                      fs::directory_iterator{}) == 1);
}
