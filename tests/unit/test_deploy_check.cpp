#include <hop/deploy/check.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace hop;
using namespace hop::deploy;

namespace {

Version v(int major, int minor, int patch)
{
  return Version{major, minor, patch};
}

std::string id(char c)
{
  return std::string(40, c);
}

// 0.0.0 on commit a..., 0.0.1 on commit b..., both on hop_main.
History two_releases()
{
  History h;
  h.has_main = true;
  Release r0;
  r0.version = v(0, 0, 0);
  r0.commit = id('a');
  r0.tag_object = id('1');
  Release r1;
  r1.version = v(0, 0, 1);
  r1.commit = id('b');
  r1.tag_object = id('2');
  h.releases = {r0, r1};
  return h;
}

Facts on_main()
{
  Facts f;
  f.branch = "hop_main";
  f.head = id('b');
  return f;
}

meta::Record rows_of(const History& h)
{
  meta::Record rec;
  rec.tracked = true;
  rec.meta_version = meta::k_meta_version;
  for (const auto& r : h.releases) {
    meta::ReleaseRow row;
    row.version = r.version;
    row.commit = r.commit;
    rec.releases.push_back(row);
  }
  return rec;
}

std::vector<std::string> kinds(const std::vector<Problem>& ps)
{
  std::vector<std::string> out;
  out.reserve(ps.size());
  for (const auto& p : ps) {
    out.push_back(p.kind);
  }
  return out;
}

} // namespace

TEST_CASE("deploy::check finds nothing wrong in a consistent project",
          "[check]")
{
  History h = two_releases();
  meta::Record rec = rows_of(h);
  CHECK(check(h, on_main(), &rec).empty());
  CHECK(check(h, on_main(), nullptr).empty());
}

TEST_CASE("deploy::check names an interrupted release and its refs", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  Interrupted i;
  i.version = v(0, 0, 2);
  i.commit = id('c');
  i.parent = id('d');
  i.tag = RefState::todo;
  i.main = RefState::todo;
  i.branch = RefState::done;
  f.interrupted.push_back(i);
  f.preparing = {v(0, 0, 2)};
  // Its row (commit NULL: not stamped yet) is no unknown release.
  meta::Record rec = rows_of(h);
  meta::ReleaseRow row;
  row.version = v(0, 0, 2);
  rec.releases.push_back(row);
  // Nor is its tag, off hop_main, a stray tag.
  h.stray.push_back({"0.0.2", "not on hop_main", id('c')});

  auto ps = check(h, f, &rec);

  REQUIRE(ps.size() == 1);
  CHECK(ps[0].kind == "interrupted-release");
  CHECK(ps[0].version == v(0, 0, 2));
  CHECK(ps[0].message == "release 0.0.2 was interrupted: its note is "
                         "written, tag 0.0.2, hop_main are not");
  CHECK(ps[0].repair == "git hop release");

  SECTION("a conflict cannot be completed: start over")
  {
    f.interrupted[0].main = RefState::conflict;
    f.interrupted[0].conflicts = {"hop_main moved on"};
    auto cs = check(h, f, &rec);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].message ==
          "release 0.0.2 was interrupted and cannot be completed as it is");
    CHECK(cs[0].details.front() == "hop_main moved on");
    CHECK(cs[0].repair ==
          "git notes --ref=hop remove " + id('c') + " && git hop release");
  }
}

TEST_CASE("deploy::check names what is left after the refs", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  Unfinished u;
  u.version = v(0, 0, 1);
  u.commit = id('b');
  u.parent = id('e');
  u.checkout = true;
  u.paths = {"model/schema-0.0.1.sql"};
  f.unfinished = u;
  auto ps = check(h, f, nullptr);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].kind == "unfinished-release");
  CHECK(ps[0].message == "release 0.0.1 was interrupted after its tag: the "
                         "checkout of hop_main stopped "
                         "(model/schema-0.0.1.sql)");
  CHECK(ps[0].repair == "git hop release");
}

TEST_CASE("deploy::check names stray tags with their repair", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  h.stray = {
      {"3.0.0", "not on hop_main", id('f')},
      {"5.0.0", "a lightweight tag (releases are annotated tags)", id('b')},
      {"0.0.2", "its commit has no note in refs/notes/hop", id('c')},
      {"4.0.0", "its commit has no note in refs/notes/hop", id('d')},
  };
  f.stray_subjects = {{"0.0.2", "[0.0.2] Second"}, {"4.0.0", "docs"}};

  auto repairs = [&] {
    std::vector<std::string> out;
    for (const auto& p : check(h, f, nullptr)) {
      out.push_back(p.repair);
    }
    return out;
  };
  CHECK(repairs() == std::vector<std::string>{
                         "git tag -d 3.0.0", "git tag -d 5.0.0",
                         "git checkout -b hop_0.0.2 0.0.2 && git hop release",
                         "git tag -d 4.0.0"});
  f.preparing = {v(0, 0, 2)};
  CHECK(repairs()[2] == "git checkout hop_0.0.2 && git hop release");
  f.remote.configured = true;
  CHECK(repairs()[2] == "git fetch origin refs/notes/hop:refs/notes/hop");
  CHECK(check(h, f, nullptr)[0].message ==
        "tag 3.0.0 is not a release: not on hop_main");
}

TEST_CASE("deploy::check without hop_main says only that", "[check]")
{
  History h;
  h.has_main = false;
  h.stray = {{"0.0.0", "not on hop_main", id('a')},
             {"0.0.1", "not on hop_main", id('b')}};
  Facts f;
  meta::Record rec = rows_of(two_releases());
  auto ps = check(h, f, &rec);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].kind == "no-hop-main");
  CHECK(ps[0].repair == "git branch hop_main 0.0.1");
  f.remote.main = id('b');
  CHECK(check(h, f, &rec)[0].repair ==
        "git branch --track hop_main origin/hop_main");
}

TEST_CASE("deploy::check cross-checks the database's rows", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  meta::Record rec = rows_of(h);

  SECTION("a row without its commit")
  {
    rec.releases[0].commit.reset();
    auto ps = check(h, f, &rec);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].kind == "row-without-commit");
    CHECK(ps[0].message ==
          "the database's row of release 0.0.0 records no commit");
    CHECK(ps[0].repair == "git hop release");
    // The repair follows the branch: apply rebuilds on a release branch.
    f.preparing = {v(0, 1, 0)};
    CHECK(check(h, f, &rec)[0].repair ==
          "git checkout hop_0.1.0 && git hop apply");
    f.branch = "hop_0.1.0";
    CHECK(check(h, f, &rec)[0].repair == "git hop apply");
    CheckOptions production;
    production.production = true;
    CHECK(check(h, f, &rec, production)[0].repair == "git hop upgrade");
  }
  SECTION("a row with another commit")
  {
    rec.releases[1].commit = id('9');
    auto ps = check(h, f, &rec);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].kind == "row-commit-mismatch");
    CHECK(ps[0].message == "the database's row of release 0.0.1 records "
                           "commit 9999999, not bbbbbbb (tag 0.0.1)");
  }
  SECTION("a release the repository does not know")
  {
    meta::ReleaseRow row;
    row.version = v(9, 9, 9);
    rec.releases.push_back(row);
    CHECK(kinds(check(h, f, &rec)) ==
          std::vector<std::string>{"unknown-release"});
    // Unless it is in preparation (applied).
    f.preparing = {v(9, 9, 9)};
    CHECK(check(h, f, &rec).empty());
    // Nor the database's history before the project's first release.
    h.releases.erase(h.releases.begin());
    rec.releases.erase(rec.releases.end() - 1);
    CHECK(check(h, f, &rec).empty());
  }
  SECTION("scratch databases a killed git-hop left")
  {
    CheckOptions o;
    o.leftovers = {"blog__hop_build"};
    auto ps = check(h, f, &rec, o);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].kind == "scratch-leftover");
    CHECK(ps[0].message ==
          "database 'blog__hop_build' is left over by an interrupted git-hop");
    CHECK(ps[0].repair == "git hop release");
  }
  SECTION("a database behind the repository is no problem")
  {
    rec.releases.pop_back();
    CHECK(check(h, f, &rec).empty());
  }
  SECTION("a swap killed between its renames")
  {
    CheckOptions o;
    o.database = "blog";
    o.renamed_away = "blog__hop_old";
    auto ps = check(h, f, nullptr, o);
    REQUIRE(ps.size() == 1);
    CHECK(ps[0].kind == "swap-interrupted");
    CHECK(ps[0].message == "database 'blog' is missing: a swap was "
                           "interrupted after it renamed it to "
                           "'blog__hop_old'");
    CHECK(ps[0].repair == "git hop release");
  }
}

TEST_CASE("deploy::check names releases origin lacks", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  f.remote.configured = true;
  f.remote.unpushed = {v(0, 0, 1)};
  auto ps = check(h, f, nullptr);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].kind == "not-pushed");
  CHECK(ps[0].message == "released here, not pushed to origin: 0.0.1");
  CHECK(ps[0].repair == "git hop release --push");
  CHECK(ps[0].details ==
        std::vector<std::string>{"origin has no hop_main (as git last saw "
                                 "it)."});
  f.remote.unpushed.clear();
  f.remote.main = id('b');
  f.remote.notes_unpushed = true;
  CHECK(check(h, f, nullptr)[0].message ==
        "the release notes (refs/notes/hop) are not all pushed to origin");
  CheckOptions production;
  production.production = true;
  CHECK(check(h, f, nullptr, production).empty());
}

TEST_CASE("deploy::check names stale ref locks and stray notes", "[check]")
{
  History h = two_releases();
  Facts f = on_main();
  f.lock_files = {"/p/.git/refs/heads/hop_main.lock"};
  f.stray_notes = {{id('7'), "a note for 0.0.1, which was released as "
                             "commit bbbbbbb"}};
  auto ps = check(h, f, nullptr);
  REQUIRE(kinds(ps) == std::vector<std::string>{"locked-ref", "stray-note"});
  CHECK(ps[0].repair == "rm '/p/.git/refs/heads/hop_main.lock'");
  CHECK(ps[1].message == "the note of 7777777 in refs/notes/hop is no "
                         "release's: a note for 0.0.1, which was released as "
                         "commit bbbbbbb");
  CHECK(ps[1].repair == "git notes --ref=hop remove " + id('7'));
}
