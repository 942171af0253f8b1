// The pre-push check (design §7): hop_main and release tags must be
// releases (an annotated tag on hop_main with its note) whose note records
// no failed test; a release branch must apply and, checked out, pass its
// tests.
#include "../deploy/history.hpp"
#include "../git/repository.hpp"
#include "../notes.hpp"
#include "../patches.hpp"
#include "../release.hpp"
#include "../session.hpp"
#include "../testrun.hpp"
#include "internal.hpp"

#include <sstream>

namespace hop::hooks {

std::vector<PushedRef> parse_pre_push(std::string_view input)
{
  std::vector<PushedRef> refs;
  std::istringstream in{std::string(input)};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    std::istringstream fields(line);
    PushedRef r;
    std::string extra;
    if (!(fields >> r.local_ref >> r.local_sha >> r.remote_ref >>
          r.remote_sha) ||
        (fields >> extra)) {
      throw fatal("pre-push: line " + std::to_string(lineno) +
                  " of git's input is not '<local ref> <local sha> <remote "
                  "ref> <remote sha>'")
          .detail(line);
    }
    r.deletion = r.local_sha.find_first_not_of('0') == std::string::npos;
    refs.push_back(std::move(r));
  }
  return refs;
}

namespace detail {

namespace {

// Why the tag `v` at `commit` is not a release git-hop can push, if it is
// not one.
std::optional<std::string> release_problem(const deploy::History& history,
                                           const Version& v,
                                           const std::string& commit)
{
  const deploy::Release* r = history.find(v);
  if (!r) {
    for (const auto& t : history.stray) {
      if (t.name != v.str()) {
        continue;
      }
      if (t.why.find("has no note") != std::string::npos) {
        return "release " + v.str() + " has no note in " + notes::k_ref +
               " ('git hop release' writes it)";
      }
      return "the tag " + v.str() + " is not a release: " + t.why;
    }
    return "the tag " + v.str() + " is not a release";
  }
  if (r->commit != commit) {
    return "the tag " + v.str() + " is at " + r->commit.substr(0, 7) +
           ", not " + commit.substr(0, 7);
  }
  if (r->note.tests && r->note.tests->failed.value_or(0) != 0) {
    return "the note of " + v.str() + " records failed tests";
  }
  return std::nullopt;
}

std::optional<std::string>
test_release_branch(Session& session, const git::Repository& repo,
                    const Version& v, const std::string& sha, Report& report)
{
  const Project& project = session.project();
  patches::Release rel = patches::read_tree(repo, sha, v);
  std::optional<release::Check> check;
  try {
    check.emplace(release::build_check(session, &rel, "__hop_check", ""));
  } catch (const Error& e) {
    return std::string("does not apply: ") + e.what() +
           (e.details().empty() ? "" : " (" + e.details().front() + ")");
  }
  if (repo.head_id() != sha) {
    report.warnings.push_back("pre-push: " + v.branch() +
                              " is not checked out: its tests were not run");
    return std::nullopt;
  }
  testrun::Summary s =
      testrun::run_tests_on(project, check->database.settings());
  if (!s.passed) {
    return testrun::tested_nothing(s)
               ? std::string(testrun::failure_of(s, "", "").what())
               : "its tests fail (" + testrun::describe(s) + ")";
  }
  return std::nullopt;
}

} // namespace

namespace {

// Why `commit`, pushed as hop_main, is not a release git-hop can push.
std::optional<std::string> main_problem(const git::Repository& repo,
                                        const deploy::History& history,
                                        const std::string& commit)
{
  std::optional<Version> tagged;
  for (const auto& tag : repo.tags()) {
    auto v = Version::parse(tag);
    if (v && repo.resolve("refs/tags/" + tag) == commit &&
        (!tagged || *v > *tagged)) {
      tagged = v;
    }
  }
  if (!tagged) {
    return "its tip " + commit.substr(0, 7) +
           " is not a release (no X.Y.Z tag on it)";
  }
  return release_problem(history, *tagged, commit);
}

} // namespace

Report pre_push(Session& session, std::istream& input)
{
  Report report;
  const Project& project = session.project();
  if (!session.has_repo() || !project.config.project.devel) {
    return report;
  }
  std::string text((std::istreambuf_iterator<char>(input)),
                   std::istreambuf_iterator<char>());
  std::vector<PushedRef> refs = parse_pre_push(text);
  git::Repository& repo = session.repo();
  deploy::History history = deploy::read_history(repo);
  release::State state = release::read_state(repo, history);
  const std::string main_ref =
      std::string("refs/heads/") + deploy::k_main_branch;
  for (const auto& ref : refs) {
    if (ref.deletion) {
      continue;
    }
    std::optional<std::string> problem;
    std::string commit = repo.resolve(ref.local_sha).value_or(ref.local_sha);
    auto tag = ref.local_ref.rfind("refs/tags/", 0) == 0
                   ? Version::parse(ref.local_ref.substr(10))
                   : std::nullopt;
    auto branch = ref.local_ref.rfind("refs/heads/", 0) == 0
                      ? Version::from_branch(ref.local_ref.substr(11))
                      : std::nullopt;
    if (ref.local_ref == main_ref) {
      problem = main_problem(repo, history, commit);
    } else if (tag) {
      problem = release_problem(history, *tag, commit);
    } else if (branch && state.last && *branch > *state.last) {
      session.report().progress("pre-push: checking " + branch->branch());
      problem = test_release_branch(session, repo, *branch, commit, report);
    }
    if (problem) {
      report.problems.push_back(
          failure("pre-push: " + ref.local_ref + ": " + *problem));
    }
  }
  if (!report.problems.empty()) {
    report.status = 1;
    report.hints.push_back("To push anyway: git push --no-verify");
  }
  return report;
}

} // namespace detail

} // namespace hop::hooks
