#include <hop/cleanup.hpp>

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using hop::cleanup::owner_alive;
using hop::cleanup::owner_tag;

namespace {

// "<pid>-<start>-<ns>" -> its three parts.
std::vector<std::string> parts(const std::string& tag)
{
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t dash; (dash = tag.find('-', start)) != std::string::npos;
       start = dash + 1) {
    out.push_back(tag.substr(start, dash - start));
  }
  out.push_back(tag.substr(start));
  return out;
}

// The tag a process `pid` would have had, with our start time and
// namespace.
std::string tag_for(pid_t pid)
{
  auto p = parts(owner_tag());
  return std::to_string(pid) + "-" + p[1] + "-" + p[2];
}

} // namespace

TEST_CASE("hop::cleanup owner tags", "[cleanup]")
{
  auto p = parts(owner_tag());
  REQUIRE(p.size() == 3);
  CHECK(p[0] == std::to_string(getpid()));
  CHECK(owner_alive(owner_tag()));

  SECTION("a dead process")
  {
    pid_t child = fork();
    if (child == 0) {
      _exit(0);
    }
    REQUIRE(child > 0);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK_FALSE(owner_alive(tag_for(child)));
  }
  SECTION("our pid with another start time: a reused pid")
  {
    CHECK_FALSE(owner_alive(std::to_string(getpid()) + "-1-" + p[2]));
  }
  SECTION("another pid namespace: cannot tell, so alive")
  {
    CHECK(owner_alive(std::to_string(1 << 30) + "-1-1"));
  }
  SECTION("malformed tags")
  {
    for (const char* bad : {"", "12", "12-3", "a-b-c", "-1-2-3", "1-2-3-4"}) {
      CHECK_FALSE(owner_alive(bad));
    }
  }
}

TEST_CASE("hop::cleanup::sweep removes only dead owners' leftovers",
          "[cleanup]")
{
  char tmpl[] = "/tmp/git-hop-unit-sweep-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  fs::path dir = tmpl;
  pid_t child = fork();
  if (child == 0) {
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  std::string dead = tag_for(child);
  const std::string& live = owner_tag();
  auto touch = [&](const std::string& name) {
    std::ofstream(dir / name) << "x";
  };
  touch("a.py.hop-tmp-" + dead);
  touch("b.py.hop-tmp-" + live);
  fs::create_directories(dir / (".blog.hop-new-" + dead) / "sub");
  fs::create_directory(dir / (".blog.hop-new-" + live));
  fs::create_directory(dir / ("git-hop-test." + dead + ".AbC123"));
  fs::create_directory(dir / ("git-hop-conf." + live + ".AbC123"));
  touch("git-hop-test-log.AbC123"); // tools/test's log: not ours
  touch("c.py.hop-tmp");            // no owner: left alone
  touch("d.py.hop-tmp-1-2");        // malformed: left alone
  hop::cleanup::sweep(dir);
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir)) {
    left.push_back(e.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{".blog.hop-new-" + live,
                                         "b.py.hop-tmp-" + live, "c.py.hop-tmp",
                                         "d.py.hop-tmp-1-2",
                                         "git-hop-conf." + live + ".AbC123",
                                         "git-hop-test-log.AbC123"});
  fs::remove_all(dir);
}
