#include "../error.hpp"
#include "../git/command.hpp"
#include "../output.hpp"
#include "internal.hpp"

namespace hop::release::detail {

namespace {

RemoteView read_remote_view(const git::Repository& repo)
{
  RemoteView rv;
  rv.main = repo.ref_target(deploy::k_remote_main);
  rv.notes = repo.ref_target(deploy::k_remote_notes);
  const size_t prefix = std::string(deploy::k_remote_tags).size();
  for (const auto& [name, id] : repo.refs_under(deploy::k_remote_tags)) {
    rv.tags[name.substr(prefix)] = id;
  }
  return rv;
}

// Push hop_main, refs/notes/hop and every release tag origin lacks, all or
// nothing (--atomic); then record what origin has. Returns the tags sent.
std::vector<std::string> push_releases(Context& ctx, const Version& v)
{
  const std::string main = k_main_branch;
  deploy::History history = deploy::read_history(ctx.repo);
  RemoteView rv = read_remote_view(ctx.repo);
  std::vector<std::string> tags;
  for (const auto& r : history.releases) {
    if (!rv.tags.count(r.version.str())) {
      tags.push_back(r.version.str());
    }
  }
  auto local_main = ctx.repo.ref_target("refs/heads/" + main);
  auto local_notes = ctx.repo.ref_target(notes::k_ref);
  if (tags.empty() && rv.main == local_main && rv.notes == local_notes) {
    output::trace("step: origin has every release");
    return tags;
  }
  std::vector<std::string> args = {"push",
                                   "--quiet",
                                   "--atomic",
                                   "origin",
                                   "refs/heads/" + main + ":refs/heads/" + main,
                                   std::string(notes::k_ref) + ":" +
                                       notes::k_ref};
  for (const auto& t : tags) {
    args.push_back("refs/tags/" + t + ":refs/tags/" + t);
  }
  ctx.session.report().progress(
      "Pushing " + main + ", " + notes::k_ref +
      (tags.empty()
           ? std::string()
           : " and the tag" + std::string(tags.size() > 1 ? "s " : " ") +
                 [&] {
                   std::string list;
                   for (const auto& t : tags) {
                     list += (list.empty() ? "" : ", ") + t;
                   }
                   return list;
                 }()) +
      " to origin.");
  output::trace("step: pushing " + std::to_string(tags.size()) + " tags");
  auto r = git::run_git(ctx.repo.workdir(), args);
  if (!r.ok()) {
    Error e = fatal("released " + v.str() + " here, but cannot push it");
    for (const auto& line : process::last_lines(r.err, 10)) {
      e.detail(line);
    }
    e.detail("The push is atomic: origin has none of it.");
    e.hint("Run 'git hop release --push' again: it sends every release "
           "origin lacks.");
    throw e;
  }
  output::trace("step: pushed");
  // What origin has now, as a fetch would record it.
  std::vector<git::RefUpdate> seen;
  auto record = [&](const std::string& name,
                    const std::optional<std::string>& id) {
    auto now = ctx.repo.ref_target(name);
    if (id && now != id) {
      seen.push_back({name, now, *id});
    }
  };
  record(deploy::k_remote_main, local_main);
  record(deploy::k_remote_notes, local_notes);
  for (const auto& t : tags) {
    record(deploy::k_remote_tags + t,
           history.find(*Version::parse(t))->tag_object);
  }
  ctx.repo.update_refs({seen}, "git hop release --push");
  return tags;
}

} // namespace

// Fetch origin's branches, tags and notes into remote-tracking refs (no
// local branch, tag or note moves), and return what it has.
RemoteView fetch_origin(const Context& ctx)
{
  if (!ctx.repo.remote_url("origin")) {
    throw fatal("cannot push: no remote 'origin'")
        .detail("Nothing was changed.")
        .hint("Add it with 'git remote add origin <url>', or release without "
              "--push.");
  }
  ctx.session.report().progress("Fetching origin.");
  auto r =
      git::run_git(ctx.repo.workdir(),
                   {"fetch", "--quiet", "--no-tags", "--prune", "origin",
                    "+refs/heads/*:refs/remotes/origin/*",
                    std::string("+refs/tags/*:") + deploy::k_remote_tags + "*",
                    "+refs/notes/*:refs/hop/remotes/origin/notes/*"});
  if (!r.ok()) {
    Error e = fatal("cannot push: the remote 'origin' does not answer");
    for (const auto& line : process::last_lines(r.err, 5)) {
      e.detail(line);
    }
    e.detail("Nothing was changed.");
    throw e;
  }
  output::trace("step: fetched origin");
  return read_remote_view(ctx.repo);
}

// Prove, before anything changes, that the push of a release will be
// accepted whole: hop_main and refs/notes/hop fast-forward on origin (what
// we push descends from `main_base` and `notes_base`), and origin has none
// of `tags` (name -> our object; nullopt: not made yet) or the same.
void prove_push(const Context& ctx, const RemoteView& rv,
                const std::string& main_base,
                const std::optional<std::string>& notes_base,
                const std::map<std::string, std::optional<std::string>>& tags)
{
  const std::string main = k_main_branch;
  if (rv.main && *rv.main != main_base &&
      !ctx.repo.is_ancestor(*rv.main, main_base)) {
    throw fatal("cannot push: origin's " + main + " has commits that " + main +
                " lacks here")
        .detail("origin/" + main + " is at " +
                git::Repository::short_id(*rv.main) + "; " + main +
                " here at " + git::Repository::short_id(main_base) + ".")
        .detail("The push would be refused and leave origin half released. "
                "Nothing was changed.")
        .hint("Bring " + main + " up to date first ('git checkout " + main +
              " && git merge --ff-only origin/" + main +
              "'); a release already made there takes its number.");
  }
  if (rv.notes &&
      (!notes_base || (*rv.notes != *notes_base &&
                       !ctx.repo.is_ancestor(*rv.notes, *notes_base)))) {
    throw fatal(std::string("cannot push: origin's ") + notes::k_ref +
                " has notes that are not here")
        .detail("Nothing was changed.")
        .hint(std::string("Fetch them first: git fetch origin ") +
              notes::k_ref + ":" + notes::k_ref);
  }
  for (const auto& [name, ours] : tags) {
    auto it = rv.tags.find(name);
    if (it != rv.tags.end() && (!ours || it->second != *ours)) {
      throw fatal("cannot push: the remote 'origin' already has the tag " +
                  name)
          .detail("A release tag is never moved. Nothing was changed.")
          .hint("Fetch ('git fetch origin --tags') and compare before going "
                "on.");
    }
  }
}

// Every release tag of `history` (name -> object).
std::map<std::string, std::optional<std::string>>
release_tags(const deploy::History& history)
{
  std::map<std::string, std::optional<std::string>> tags;
  for (const auto& r : history.releases) {
    tags[r.version.str()] = r.tag_object;
  }
  return tags;
}

void push_to(Context& ctx, const Version& v, ReleaseResult& result)
{
  auto before = ctx.repo.ref_target(deploy::k_remote_main);
  auto notes_before = ctx.repo.ref_target(deploy::k_remote_notes);
  result.pushed_tags = push_releases(ctx, v);
  result.pushed = true;
  result.sent = !result.pushed_tags.empty() ||
                before != ctx.repo.ref_target(deploy::k_remote_main) ||
                notes_before != ctx.repo.ref_target(deploy::k_remote_notes);
}

} // namespace hop::release::detail
