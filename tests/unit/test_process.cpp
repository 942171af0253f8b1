#include <hop/error.hpp>
#include <hop/process.hpp>

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

using hop::process::Command;
using hop::process::run;

TEST_CASE("hop::process::run", "[process]")
{
  SECTION("captures both streams and the exit status")
  {
    auto r = run(Command{{"sh", "-c", "echo out; echo err >&2; exit 3"}});
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
    CHECK(r.exit_code == 3);
    CHECK(r.signal == 0);
    CHECK_FALSE(r.ok());
    CHECK(r.describe() == "exited with status 3");
  }
  SECTION("tells a signal from an exit status")
  {
    auto r = run(Command{{"sh", "-c", "kill -9 $$"}});
    CHECK(r.signal == 9);
    CHECK(r.describe().rfind("killed by signal 9", 0) == 0);
  }
  SECTION("does not deadlock on large output on both streams")
  {
    auto r = run(Command{{"sh", "-c",
                          "head -c 1000000 /dev/zero | tr '\\0' a; "
                          "head -c 1000000 /dev/zero | tr '\\0' b >&2"}});
    CHECK(r.ok());
    CHECK(r.out.size() == 1000000);
    CHECK(r.err.size() == 1000000);
  }
  SECTION("feeds stdin, sets and unsets the environment, uses cwd")
  {
    Command c{{"sh", "-c", "cat; echo \"$HOP_X-${HOME:-nohome}\"; pwd"}};
    c.input = "in\n";
    c.env_set["HOP_X"] = "x";
    c.env_unset.push_back("HOME");
    c.cwd = "/";
    auto r = run(c);
    CHECK(r.out == "in\nx-nohome\n/\n");
  }
  SECTION("an unknown program is a fatal error")
  {
    CHECK_THROWS_AS(run(Command{{"no-such-program-hop"}}), hop::Error);
  }
  SECTION("run_checked puts stderr in the details")
  {
    try {
      hop::process::run_checked(Command{{"sh", "-c", "echo boom >&2; exit 2"}},
                                "cannot go on");
      FAIL("no error");
    } catch (const hop::Error& e) {
      CHECK(std::string(e.what()) == "cannot go on");
      REQUIRE(e.details().size() == 2);
      CHECK(e.details()[1] == "boom");
    }
  }
}

TEST_CASE("hop::process::last_lines", "[process]")
{
  CHECK(hop::process::last_lines("a\n\nb\nc\n", 2) ==
        std::vector<std::string>{"b", "c"});
  CHECK(hop::process::last_lines("", 2).empty());
}

TEST_CASE("hop::process::Background", "[process]")
{
  SECTION("runs while the caller goes on; wait() gives what run() would")
  {
    hop::process::Background b(
        Command{{"sh", "-c", "echo out; echo err >&2; exit 4"}});
    auto r = b.wait();
    CHECK(r.out == "out\n");
    CHECK(r.err == "err\n");
    CHECK(r.exit_code == 4);
  }
  SECTION("two at once, big output")
  {
    hop::process::Background a(
        Command{{"sh", "-c", "head -c 3000000 /dev/zero | tr '\\0' a"}});
    hop::process::Background b(Command{{"sh", "-c", "echo b"}});
    CHECK(b.wait().out == "b\n");
    auto r = a.wait();
    CHECK(r.ok());
    CHECK(r.out == std::string(3000000, 'a'));
  }
  SECTION("stdin is empty")
  {
    hop::process::Background b(Command{{"sh", "-c", "cat; echo done"}});
    CHECK(b.wait().out == "done\n");
  }
  SECTION("destroyed before wait(), it kills the child's group")
  {
    auto r = run(Command{{"mktemp", "-u"}});
    std::string mark = r.out.substr(0, r.out.size() - 1);
    {
      // The grandchild writes the mark after a second unless killed.
      hop::process::Background b(
          Command{{"sh", "-c", "(sleep 1; echo x > '" + mark + "') & wait"}});
    }
    run(Command{{"sleep", "1.5"}});
    CHECK(run(Command{{"test", "-e", mark}}).exit_code == 1);
  }
  SECTION("a missing program is fatal at once")
  {
    CHECK_THROWS_AS(hop::process::Background(Command{{"no-such-program-hop"}}),
                    hop::Error);
  }
}

TEST_CASE("hop::process::detach", "[process]")
{
  int keep[2];
  int other[2];
  REQUIRE(pipe(keep) == 0);
  REQUIRE(pipe(other) == 0);
  struct stat null_stat = {};
  REQUIRE(stat("/dev/null", &null_stat) == 0);
  long pid = hop::process::detach(keep[1], [&] {
    struct stat out = {};
    bool null_out = fstat(1, &out) == 0 && out.st_rdev == null_stat.st_rdev;
    std::string report =
        std::string(getsid(0) == getpid() ? "session " : "no-session ") +
        (null_out ? "null-stdout " : "stdout ") +
        (fcntl(other[1], F_GETFD) == -1 ? "closed" : "open") + "\n";
    (void)!write(keep[1], report.data(), report.size());
    throw std::runtime_error("ignored: the child just exits");
  });
  REQUIRE(pid > 0);
  close(keep[1]);
  close(other[1]);
  std::string got;
  char buf[256];
  for (ssize_t n; (n = read(keep[0], buf, sizeof buf)) > 0;) {
    got.append(buf, static_cast<size_t>(n));
  }
  // Its own session, stdout on /dev/null, the other pipe not inherited:
  // the parent sees that pipe's end as soon as it closes its own copy.
  CHECK(got == "session null-stdout closed\n");
  CHECK(read(other[0], buf, sizeof buf) == 0);
  int status = 0;
  REQUIRE(waitpid(static_cast<pid_t>(pid), &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  close(keep[0]);
  close(other[0]);
}
