#include "check.hpp"

#include "../error.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace hop::deploy {

namespace {

std::string short_id(const std::string& id)
{
  return git::Repository::short_id(id);
}

std::string join(const std::vector<std::string>& items, const char* sep)
{
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : sep) + s;
  }
  return out;
}

std::optional<std::string> read_work_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// Where the release's own files stand in the work tree: each as it was at
// `parent` or as `commit` has it (a checkout that stopped half way), and
// nothing else changed. Then finishing the checkout loses nothing.
bool checkout_unfinished(const git::Repository& repo, const Unfinished& u,
                         const std::vector<git::StatusEntry>& changes)
{
  if (changes.empty() || u.paths.empty()) {
    return false;
  }
  std::set<std::string> ours(u.paths.begin(), u.paths.end());
  for (const auto& c : changes) {
    bool leftover = c.path.ends_with(".hop-tmp") &&
                    ours.count(c.path.substr(0, c.path.size() - 8));
    if (!ours.count(c.path) && !leftover) {
      return false;
    }
  }
  std::filesystem::path root = repo.workdir();
  for (const auto& path : u.paths) {
    auto here = read_work_file(root / path);
    auto before = repo.read_blob(u.parent, path);
    auto after = repo.read_blob(u.commit, path);
    if (here != before && here != after) {
      return false;
    }
  }
  return true;
}

// Where the refs of interrupted release `i` stand: tag, branch, hop_main.
void read_ref_states(const git::Repository& repo,
                     const std::optional<std::string>& main, Interrupted& i)
{
  const std::string v = i.version.str();
  if (auto t = repo.tag_info(v)) {
    if (t->annotated && t->commit == i.commit) {
      i.tag = RefState::done;
    } else {
      i.tag = RefState::conflict;
      i.conflicts.push_back(
          "tag " + v + " is " +
          (t->annotated
               ? "on another commit, " +
                     short_id(t->commit.empty() ? t->object : t->commit)
               : std::string("a lightweight tag")));
    }
  }
  auto branch = repo.ref_target("refs/heads/" + i.version.branch());
  if (!branch || *branch == i.parent) {
    i.branch = RefState::todo;
  } else if (*branch == i.commit) {
    i.branch = RefState::done;
  } else {
    i.branch = RefState::conflict;
    i.conflicts.push_back(i.version.branch() + " is at " + short_id(*branch) +
                          ", neither the release commit nor its parent");
  }
  if (!main) {
    i.main = RefState::conflict;
    i.conflicts.push_back(std::string("there is no ") + k_main_branch);
  } else if (*main == i.commit) {
    i.main = RefState::done;
  } else if (repo.is_ancestor(*main, i.commit)) {
    i.main = RefState::todo;
  } else {
    i.main = RefState::conflict;
    i.conflicts.push_back(std::string(k_main_branch) + " moved on (" +
                          short_id(*main) +
                          " is not an ancestor of the release commit)");
  }
}

void read_interrupted(const git::Repository& repo, const History& h, Facts& f)
{
  std::set<std::string> releases;
  for (const auto& r : h.releases) {
    releases.insert(r.commit);
  }
  std::optional<Version> last = h.last();
  std::optional<std::string> main =
      repo.ref_target("refs/heads/" + std::string(k_main_branch));
  for (const auto& [commit, blob] : repo.notes(notes::k_ref)) {
    if (releases.count(commit)) {
      continue;
    }
    auto text = repo.read_blob_id(blob);
    notes::Note note;
    try {
      note = notes::parse(text.value_or(""), "the note of " + short_id(commit));
    } catch (const Error& e) {
      f.stray_notes.push_back({commit, e.what()});
      continue;
    }
    const std::string v = note.version.str();
    if (last && note.version <= *last) {
      const Release* r = h.find(note.version);
      f.stray_notes.push_back(
          {commit, r ? "a note for " + v + ", which was released as commit " +
                           short_id(r->commit)
                     : "a note for " + v + ", older than the last release " +
                           last->str()});
      continue;
    }
    auto info = repo.commit_info(commit);
    if (!info) {
      f.stray_notes.push_back(
          {commit, "a note for " + v + " on a commit the repository lacks"});
      continue;
    }
    Interrupted i;
    i.version = note.version;
    i.commit = commit;
    i.note = std::move(note);
    i.parent = info->parents.empty() ? "" : info->parents.front();
    if (i.note.previous != last) {
      i.conflicts.push_back(
          "its note says it follows " +
          (i.note.previous ? i.note.previous->str() : std::string("nothing")) +
          "; the last release is " + (last ? last->str() : "none"));
    }
    read_ref_states(repo, main, i);
    f.interrupted.push_back(std::move(i));
  }
  std::sort(f.interrupted.begin(), f.interrupted.end(),
            [](const Interrupted& a, const Interrupted& b) {
              return a.version < b.version;
            });
}

void read_unfinished(const git::Repository& repo, const History& h,
                     const std::vector<git::StatusEntry>* changes, Facts& f)
{
  if (h.releases.empty()) {
    return;
  }
  const Release& r = h.releases.back();
  auto info = repo.commit_info(r.commit);
  if (!info || info->parents.empty()) {
    return;
  }
  Unfinished u;
  u.version = r.version;
  u.commit = r.commit;
  u.parent = info->parents.front();
  auto branch = repo.ref_target("refs/heads/" + r.version.branch());
  u.branch_behind = branch && *branch == u.parent;
  bool on_release =
      f.head == r.commit && f.branch &&
      (*f.branch == k_main_branch || *f.branch == r.version.branch());
  if (on_release) {
    std::vector<git::StatusEntry> own;
    if (!changes) {
      own = repo.status();
      changes = &own;
    }
    if (!changes->empty()) {
      u.paths = repo.diff_paths(u.parent, u.commit);
      u.checkout = checkout_unfinished(repo, u, *changes);
      u.head_on_branch = u.checkout && *f.branch == r.version.branch();
    }
  }
  if (u.branch_behind || u.checkout) {
    f.unfinished = std::move(u);
  }
}

void read_remote(const git::Repository& repo, const History& h, Facts& f)
{
  Remote& rm = f.remote;
  rm.configured = repo.remote_url("origin").has_value();
  if (!rm.configured) {
    return;
  }
  rm.main = repo.ref_target(k_remote_main);
  rm.notes = repo.ref_target(k_remote_notes);
  const size_t prefix = std::strlen(k_remote_tags);
  for (const auto& [name, id] : repo.refs_under(k_remote_tags)) {
    rm.tags[name.substr(prefix)] = id;
  }
  rm.known = rm.notes.has_value() || !rm.tags.empty();
  bool reachable = false; // releases are on hop_main's first-parent line
  for (auto it = h.releases.rbegin(); it != h.releases.rend(); ++it) {
    reachable =
        reachable || (rm.main && (*rm.main == it->commit ||
                                  repo.is_ancestor(it->commit, *rm.main)));
    auto tag = rm.tags.find(it->version.str());
    bool tagged =
        !rm.known || (tag != rm.tags.end() && tag->second == it->tag_object);
    if (!reachable || !tagged) {
      rm.unpushed.push_back(it->version);
    }
  }
  std::sort(rm.unpushed.begin(), rm.unpushed.end());
  auto local = repo.ref_target(notes::k_ref);
  if (rm.known && local) {
    rm.notes_unpushed = !(rm.notes && (*rm.notes == *local ||
                                       repo.is_ancestor(*local, *rm.notes)));
  }
}

} // namespace

Facts read_facts(const git::Repository& repo, const History& h,
                 const std::vector<git::StatusEntry>* changes)
{
  Facts f;
  f.branch = repo.current_branch();
  f.head = repo.head_id();
  std::optional<Version> last = h.last();
  for (const auto& b : repo.local_branches()) {
    if (auto v = Version::from_branch(b); v && (!last || *v > *last)) {
      f.preparing.push_back(*v);
    }
  }
  std::sort(f.preparing.begin(), f.preparing.end());
  if (h.has_main) {
    read_interrupted(repo, h, f);
    read_unfinished(repo, h, changes, f);
    read_remote(repo, h, f);
    for (const auto& t : h.stray) {
      if (t.commit && t.why.find("has no note") != std::string::npos) {
        if (auto info = repo.commit_info(*t.commit)) {
          f.stray_subjects[t.name] =
              info->message.substr(0, info->message.find('\n'));
        }
      }
    }
  } else {
    f.remote.configured = repo.remote_url("origin").has_value();
    f.remote.main = repo.ref_target(k_remote_main);
  }

  std::vector<std::string> refs = {"HEAD", "index",
                                   "refs/heads/" + std::string(k_main_branch),
                                   notes::k_ref};
  for (const auto& v : f.preparing) {
    refs.push_back("refs/heads/" + v.branch());
    refs.push_back("refs/tags/" + v.str());
  }
  if (last) {
    refs.push_back("refs/heads/" + last->branch());
  }
  f.lock_files = repo.locked_refs(refs);
  return f;
}

namespace {

constexpr const char* k_complete = "git hop release";

// Stale lock files of the refs a release moves.
void lock_problems(const Facts& f, std::vector<Problem>& out)
{
  for (const auto& file : f.lock_files) {
    out.push_back({"locked-ref",
                   std::nullopt,
                   "'" + file + "' exists",
                   {"A git command is running, or one was killed while it held "
                    "this lock; git refuses to change the ref meanwhile.",
                    "Remove it only when no git command is running."},
                   "rm '" + file + "'"});
  }
}

// No hop_main: no tag is a release, nothing else means much.
Problem no_main_problem(const History& h, const Facts& f)
{
  std::optional<Version> highest;
  for (const auto& t : h.stray) {
    if (auto v = Version::parse(t.name); v && (!highest || *v > *highest)) {
      highest = v;
    }
  }
  return {"no-hop-main",
          std::nullopt,
          std::string("there is no branch ") + k_main_branch,
          {"Released history lives on " + std::string(k_main_branch) +
           ": without it, no tag is a release."},
          f.remote.main ? std::string("git branch --track ") + k_main_branch +
                              " origin/" + k_main_branch
          : highest ? std::string("git branch ") + k_main_branch + " " +
                          highest->str()
                    : std::string("git branch ") + k_main_branch + " <commit>"};
}

// Releases a killed `git hop release` left: before the refs moved
// (interrupted), after the tag (unfinished). Returns the versions covered.
std::set<std::string> release_problems(const Facts& f,
                                       std::vector<Problem>& out)
{
  const std::string complete = k_complete;
  std::set<std::string> covered;
  for (const auto& i : f.interrupted) {
    const std::string v = i.version.str();
    covered.insert(v);
    Problem p;
    p.kind = "interrupted-release";
    p.version = i.version;
    if (!i.conflicts.empty()) {
      p.message =
          "release " + v + " was interrupted and cannot be completed as it is";
      p.details = i.conflicts;
      p.details.push_back("Its note is on " + short_id(i.commit) +
                          "; removing it lets 'git hop release' start over.");
      p.repair = "git notes --ref=" + std::string(notes::k_ref).substr(11) +
                 " remove " + i.commit + " && git hop release";
    } else {
      std::vector<std::string> todo;
      if (i.tag == RefState::todo) {
        todo.push_back("tag " + v);
      }
      if (i.main == RefState::todo) {
        todo.push_back(k_main_branch);
      }
      if (i.branch == RefState::todo) {
        todo.push_back(i.version.branch());
      }
      p.message = "release " + v + " was interrupted: its note is written, " +
                  join(todo, ", ") + (todo.size() == 1 ? " is" : " are") +
                  " not";
      p.details.push_back("release commit: " + short_id(i.commit));
      p.repair = complete;
    }
    out.push_back(std::move(p));
  }
  if (f.unfinished) {
    const Unfinished& u = *f.unfinished;
    std::vector<std::string> left;
    if (u.branch_behind) {
      left.push_back(u.version.branch() + " is still at " + short_id(u.parent));
    }
    if (u.checkout) {
      left.push_back(std::string("the checkout of ") + k_main_branch +
                     " stopped (" + join(u.paths, ", ") + ")");
    }
    out.push_back({"unfinished-release",
                   u.version,
                   "release " + u.version.str() +
                       " was interrupted after its tag: " + join(left, "; "),
                   {"release commit: " + short_id(u.commit)},
                   complete});
  }

  return covered;
}

// Tags that look like releases and are not, notes that are no release's.
void stray_problems(const History& h, const Facts& f,
                    const std::set<std::string>& covered,
                    std::vector<Problem>& out)
{
  std::optional<Version> last = h.last();
  for (const auto& t : h.stray) {
    if (covered.count(t.name)) {
      continue;
    }
    auto v = Version::parse(t.name);
    Problem p{"stray-tag",
              v,
              "tag " + t.name + " is not a release: " + t.why,
              {},
              "git tag -d " + t.name};
    auto subject = f.stray_subjects.find(t.name);
    bool release_commit =
        subject != f.stray_subjects.end() &&
        subject->second.rfind("[" + t.name + "] ", 0) == 0 &&
        subject->second.rfind("[" + t.name + "] prepare: ", 0) != 0;
    if (t.why.find("has no note") != std::string::npos && release_commit) {
      if (f.remote.configured) {
        p.repair = std::string("git fetch origin ") + notes::k_ref + ":" +
                   notes::k_ref;
      } else if (v && (!last || *v > *last)) {
        bool branch = std::find(f.preparing.begin(), f.preparing.end(), *v) !=
                      f.preparing.end();
        p.repair = (branch ? "git checkout " + v->branch()
                           : "git checkout -b " + v->branch() + " " + t.name) +
                   " && git hop release";
      } else {
        p.repair = std::string("git fetch <a clone that has it> ") +
                   notes::k_ref + ":" + notes::k_ref;
      }
    }
    out.push_back(std::move(p));
  }
  for (const auto& n : f.stray_notes) {
    out.push_back({"stray-note",
                   std::nullopt,
                   "the note of " + short_id(n.commit) + " in " + notes::k_ref +
                       " is no release's: " + n.why,
                   {},
                   "git notes --ref=" + std::string(notes::k_ref).substr(11) +
                       " remove " + n.commit});
  }
}

// The command that repairs the development database's problems.
std::string rebuild_command(const Facts& f, const CheckOptions& o)
{
  if (o.production) {
    return "git hop upgrade";
  }
  // Finish a release first (it repairs these too).
  bool releasing = !f.interrupted.empty() || f.unfinished.has_value();
  if (!releasing && !f.preparing.empty()) {
    auto on = f.branch ? Version::from_branch(*f.branch) : std::nullopt;
    bool on_preparing = on && std::find(f.preparing.begin(), f.preparing.end(),
                                        *on) != f.preparing.end();
    return on_preparing ? std::string("git hop apply")
                        : "git checkout " + f.preparing.front().branch() +
                              " && git hop apply";
  }
  return k_complete;
}

// What an interrupted git-hop left in the cluster.
void database_problems(const CheckOptions& o, const std::string& rebuild,
                       std::vector<Problem>& out)
{
  if (o.renamed_away) {
    out.push_back({"swap-interrupted",
                   std::nullopt,
                   "database '" + o.database +
                       "' is missing: a swap was "
                       "interrupted after it renamed it to '" +
                       *o.renamed_away + "'",
                   {"The next git-hop command that takes the database's lock "
                    "renames it back."},
                   rebuild});
  }
  for (const auto& name : o.leftovers) {
    out.push_back({"scratch-leftover",
                   std::nullopt,
                   "database '" + name +
                       "' is left over by an interrupted "
                       "git-hop",
                   {"The next git-hop command that takes the database's lock "
                    "drops it."},
                   rebuild});
  }
}

// The database's rows against the releases.
void row_problems(const History& h, const Facts& f, const meta::Record& rec,
                  const CheckOptions& o, const std::string& rebuild,
                  std::vector<Problem>& out)
{
  std::map<Version, const meta::ReleaseRow*> rows;
  for (const auto& row : rec.releases) {
    rows[row.version] = &row;
  }
  for (const auto& r : h.releases) {
    auto it = rows.find(r.version);
    if (it == rows.end()) {
      continue; // the database is behind: shown as its release
    }
    const std::string v = r.version.str();
    if (!it->second->commit) {
      out.push_back(
          {"row-without-commit",
           r.version,
           "the database's row of release " + v + " records no commit",
           {"tag " + v + " is on " + short_id(r.commit) + "."},
           rebuild});
    } else if (*it->second->commit != r.commit) {
      out.push_back({"row-commit-mismatch",
                     r.version,
                     "the database's row of release " + v + " records commit " +
                         short_id(*it->second->commit) + ", not " +
                         short_id(r.commit) + " (tag " + v + ")",
                     {"The database was not built from this repository's "
                      "release " +
                      v + "."},
                     rebuild});
    }
  }
  std::set<Version> expected(f.preparing.begin(), f.preparing.end());
  for (const auto& i : f.interrupted) {
    expected.insert(i.version);
  }
  // Rows older than the first release are the database's own history
  // (a project started from a database already at some release).
  std::optional<Version> first;
  if (!h.releases.empty()) {
    first = h.releases.front().version;
  }
  for (const auto& row : rec.releases) {
    if (!h.find(row.version) && !expected.count(row.version) &&
        (!first || row.version > *first)) {
      out.push_back({"unknown-release",
                     row.version,
                     "the database records release " + row.version.str() +
                         ", which is not a release of this repository",
                     {"A release is an annotated tag on " +
                      std::string(k_main_branch) + " with its note."},
                     o.production ? std::string("git fetch origin --tags ") +
                                        notes::k_ref + ":" + notes::k_ref
                                  : rebuild});
    }
  }
}

// Releases made here that origin lacks (as git last saw it).
void push_problems(const Facts& f, const CheckOptions& o,
                   std::vector<Problem>& out)
{
  const std::string complete = k_complete;
  const Remote& rm = f.remote;
  if (!o.production && rm.configured &&
      (!rm.unpushed.empty() || rm.notes_unpushed)) {
    Problem p;
    p.kind = "not-pushed";
    p.repair = complete + " --push";
    if (!rm.unpushed.empty()) {
      std::vector<std::string> names;
      for (const auto& v : rm.unpushed) {
        names.push_back(v.str());
      }
      p.version = rm.unpushed.back();
      p.message = "released here, not pushed to origin: " + join(names, ", ");
    } else {
      p.message = std::string("the release notes (") + notes::k_ref +
                  ") are not all pushed to origin";
    }
    if (!rm.main) {
      p.details.push_back(std::string("origin has no ") + k_main_branch +
                          " (as git last saw it).");
    }
    out.push_back(std::move(p));
  }
}

} // namespace

std::vector<Problem> check(const History& h, const Facts& f,
                           const meta::Record* record, const CheckOptions& o)
{
  std::vector<Problem> out;
  lock_problems(f, out);
  if (!h.has_main) {
    out.push_back(no_main_problem(h, f));
    return out;
  }
  std::set<std::string> covered = release_problems(f, out);
  stray_problems(h, f, covered, out);
  std::string rebuild = rebuild_command(f, o);
  database_problems(o, rebuild, out);
  if (record && record->tracked) {
    row_problems(h, f, *record, o, rebuild, out);
  }
  push_problems(f, o, out);
  return out;
}

} // namespace hop::deploy
