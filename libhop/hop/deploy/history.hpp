// The releases of a repository, as the deploy engine sees them (design
// §6.1 step 1): an annotated tag X.Y.Z on hop_main's first-parent history
// whose commit carries its note in refs/notes/hop. Everything else that
// looks like a release (a lightweight tag, a tag off hop_main, a tag
// without its note) is not one: it is reported, never used.
#pragma once

#include "../notes.hpp"
#include "../patches.hpp"
#include "../report.hpp"
#include "../version.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hop::git {
class Repository;
}

namespace hop::deploy {

// The branch released history lives on.
inline constexpr const char* k_main_branch = "hop_main";

struct Release
{
  Version version;
  std::string tag_object; // the annotated tag's id
  std::string commit;
  notes::Note note;
};

// A tag that looks like a release and is not one, with why.
struct StrayTag
{
  std::string name;
  std::string why; // "a lightweight tag", "not on hop_main", "has no note"
  std::optional<std::string> commit;
};

struct History
{
  std::vector<Release> releases; // oldest first
  std::vector<StrayTag> stray;
  bool has_main = false; // refs/heads/hop_main exists

  const Release* find(const Version& v) const;
  std::optional<Version> last() const;
  // The releases after `v` up to `to` (all when nullopt), oldest first.
  std::vector<const Release*> after(const Version& v,
                                    const std::optional<Version>& to) const;
};

// Read every release of `repo` (cheap: refs, tags and notes; no blob).
History read_history(const git::Repository& repo);

// The same, but when release tags lack their note and the repository has
// a remote 'origin' (a fresh clone: git clone does not fetch notes), fetch
// refs/notes/hop from it first (fast-forward only), telling `reporter`.
History read_history_fetching_notes(const git::Repository& repo,
                                    Reporter& reporter);

// The scripts of `release`, read from the tag's tree, verified against its
// note: the same paths, each with the note's sha256. Fatal otherwise,
// naming the script (tampering or a damaged release).
patches::Release read_scripts(const git::Repository& repo,
                              const Release& release);

// A baseline file (model/schema-X.Y.Z.sql...) of `release`, from its tag.
std::string read_baseline_file(const git::Repository& repo,
                               const Release& release, const std::string& path);

} // namespace hop::deploy
