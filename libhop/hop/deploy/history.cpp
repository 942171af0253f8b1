#include "history.hpp"

#include "../error.hpp"
#include "../git/command.hpp"
#include "../git/repository.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace hop::deploy {

const Release* History::find(const Version& v) const
{
  for (const auto& r : releases) {
    if (r.version == v) {
      return &r;
    }
  }
  return nullptr;
}

std::optional<Version> History::last() const
{
  if (releases.empty()) {
    return std::nullopt;
  }
  return releases.back().version;
}

std::vector<const Release*>
History::after(const Version& v, const std::optional<Version>& to) const
{
  std::vector<const Release*> out;
  for (const auto& r : releases) {
    if (r.version > v && (!to || r.version <= *to)) {
      out.push_back(&r);
    }
  }
  return out;
}

History read_history(const git::Repository& repo)
{
  History h;
  std::vector<std::string> main =
      repo.first_parent_history("refs/heads/" + std::string(k_main_branch));
  h.has_main = !main.empty();
  std::set<std::string> on_main(main.begin(), main.end());
  std::map<Version, Release> found;
  for (const auto& name : repo.tags()) {
    auto v = Version::parse(name);
    if (!v) {
      continue;
    }
    auto info = repo.tag_info(name);
    if (!info) {
      continue;
    }
    StrayTag stray{name, "",
                   info->commit.empty()
                       ? std::nullopt
                       : std::optional<std::string>(info->commit)};
    if (!info->annotated) {
      stray.why = "a lightweight tag (releases are annotated tags)";
    } else if (info->commit.empty()) {
      stray.why = "not a tag of a commit";
    } else if (!on_main.count(info->commit)) {
      stray.why = std::string("not on ") + k_main_branch;
    }
    std::optional<std::string> text;
    if (stray.why.empty()) {
      text = repo.read_note(notes::k_ref, info->commit);
      if (!text) {
        stray.why = std::string("its commit has no note in ") + notes::k_ref;
      }
    }
    if (!stray.why.empty()) {
      h.stray.push_back(std::move(stray));
      continue;
    }
    Release r;
    r.version = *v;
    r.tag_object = info->object;
    r.commit = info->commit;
    try {
      r.note = notes::parse(*text, "the note of " + name);
    } catch (const Error& e) {
      h.stray.push_back({name, e.what(), info->commit});
      continue;
    }
    if (r.note.version != *v) {
      h.stray.push_back(
          {name, "its note is for " + r.note.version.str() + ", not " + name,
           info->commit});
      continue;
    }
    found.emplace(*v, std::move(r));
  }
  for (auto& [v, r] : found) {
    h.releases.push_back(std::move(r));
  }
  std::sort(
      h.stray.begin(), h.stray.end(),
      [](const StrayTag& a, const StrayTag& b) { return a.name < b.name; });
  return h;
}

History read_history_fetching_notes(const git::Repository& repo,
                                    Reporter& reporter)
{
  History h = read_history(repo);
  bool missing =
      std::any_of(h.stray.begin(), h.stray.end(), [](const StrayTag& t) {
        return t.why.find("has no note") != std::string::npos;
      });
  if (!missing || !repo.remote_url("origin")) {
    return h;
  }
  reporter.progress(std::string("Fetching the release notes (") + notes::k_ref +
                    ") from origin.");
  auto r = git::run_git(repo.workdir(),
                        {"fetch", "--quiet", "origin",
                         std::string(notes::k_ref) + ":" + notes::k_ref});
  if (!r.ok()) {
    reporter.warning(
        "cannot fetch " + std::string(notes::k_ref) + " from origin: " +
        (r.err.empty() ? r.describe() : process::last_lines(r.err, 1).front()));
    return h;
  }
  return read_history(repo);
}

patches::Release read_scripts(const git::Repository& repo,
                              const Release& release)
{
  const std::string tag = "refs/tags/" + release.version.str();
  if (release.note.scripts.empty() &&
      !repo.entry_id(tag, release.version.patch_dir())) {
    // The first release ('git hop new') has no folder of scripts.
    patches::Release empty;
    empty.version = release.version;
    empty.message = release.note.message;
    return empty;
  }
  patches::Release rel = patches::read_tree(repo, tag, release.version);
  std::map<std::string, std::string> noted;
  for (const auto& s : release.note.scripts) {
    noted[s.path] = s.sha256;
  }
  for (const auto& s : rel.scripts) {
    auto it = noted.find(s.path);
    if (it == noted.end()) {
      throw fatal("release " + release.version.str() + ": '" + s.path +
                  "' is in the tag but not in its note")
          .detail("The note of a release lists every script it ran, with "
                  "its sha256.")
          .detail("Nothing was changed.");
    }
    if (it->second != s.sha256) {
      throw fatal("release " + release.version.str() + ": '" + s.path +
                  "' does not match its note")
          .detail("sha256 in the tag's tree: " + s.sha256)
          .detail("sha256 in the note:       " + it->second)
          .detail("Nothing was changed.");
    }
    noted.erase(it);
  }
  if (!noted.empty()) {
    throw fatal("release " + release.version.str() + ": '" +
                noted.begin()->first + "' is in its note but not in the tag")
        .detail("Nothing was changed.");
  }
  return rel;
}

std::string read_baseline_file(const git::Repository& repo,
                               const Release& release, const std::string& path)
{
  auto text = repo.read_blob("refs/tags/" + release.version.str(), path);
  if (!text) {
    throw fatal("release " + release.version.str() + " has no '" + path + "'")
        .hint("Baselines are committed by 'git hop new' and 'git hop "
              "release'.");
  }
  return std::move(*text);
}

} // namespace hop::deploy
