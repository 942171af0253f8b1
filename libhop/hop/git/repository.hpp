// git through libgit2. The only user of git2.h.
//
//   auto repo = git::Repository::discover(".");   // honours GIT_DIR,
//                                            // GIT_WORK_TREE, GIT_INDEX_FILE
//   if (repo && repo->is_clean()) ...
//   repo->add_all();
//   auto id = repo->commit("message");
//   repo->create_tag("0.0.0", id, "0.0.0");
//
// libgit2 runs no hooks: the commits git-hop makes bypass the user's hooks
// on purpose. Commits, tags and notes carry the identity git would use
// ('git var GIT_AUTHOR_IDENT' / 'GIT_COMMITTER_IDENT', asked once per
// repository: git -c user.name=..., GIT_CONFIG_COUNT/KEY/VALUE,
// GIT_AUTHOR_NAME/EMAIL/DATE, GIT_COMMITTER_NAME/EMAIL/DATE, every
// configuration file); config_string() is git's view of the configuration
// too ('git config'). Commands that write no object never pay for these.
#pragma once

#include "../text.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_repository;

namespace hop::git {

// libgit2 for the life of the process. Started on first use (by
// discover(), init() and default_signature_available()), so commands that
// never touch git do not pay for it. libgit2 1.5 with mbedTLS would parse
// the whole CA bundle when it starts: it is skipped (ca_bundle.hpp).
class Library {
public:
  Library();
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

// What a tag is (tag_info()).
struct TagInfo
{
  std::string name;
  bool annotated = false;
  std::string object;  // the tag object (annotated) or what the ref points at
  std::string commit;  // the commit it peels to; empty when none
  std::string message; // of an annotated tag
};

// What a tree or index entry is, as git records it (its mode).
enum class EntryKind {
  file,       // 100644
  executable, // 100755
  symlink,    // 120000: the blob holds the link's target
  submodule,  // 160000: a commit of another repository
  directory,  // 040000: a tree
};

struct DirEntry
{
  std::string name;
  EntryKind kind = EntryKind::file;
  // The blob of a file or executable (a view of libgit2's own copy, kept
  // alive by the Text); else empty.
  Text content;
};

// A commit (commit_info()).
struct CommitInfo
{
  std::string id;
  std::string tree;
  std::string message;
  std::vector<std::string> parents; // first parent first
};

// One ref to move (update_refs()): from `old` (nullopt: it must not
// exist) to `target`.
struct RefUpdate
{
  std::string name; // "refs/heads/hop_main"
  std::optional<std::string> old;
  std::string target;
};

struct StatusEntry
{
  std::string path;
  bool staged = false;
  bool unstaged = false;
  bool untracked = false;
};

class Repository {
public:
  // Find the repository containing `path`, and its work tree, as git
  // would: GIT_DIR names the repository (then `path` is not used);
  // GIT_WORK_TREE, else core.worktree, else with GIT_DIR the current
  // directory, is the work tree (none for a bare repository); with
  // GIT_WORK_TREE alone the repository is looked for from the current
  // directory; GIT_CEILING_DIRECTORIES and GIT_INDEX_FILE are honoured.
  // Inside a git hook, git exports these. nullopt when there is none.
  static std::optional<Repository> discover(const std::filesystem::path& path);
  // Create a repository in `path` whose unborn HEAD is `initial_branch`.
  static Repository init(const std::filesystem::path& path,
                         const std::string& initial_branch);

  Repository(Repository&&) noexcept = default;
  Repository& operator=(Repository&&) noexcept = default;
  ~Repository();

  // The top of the work tree; fatal for a repository without one.
  std::filesystem::path workdir() const;
  std::filesystem::path gitdir() const;
  // Whether there is a work tree (not a bare repository).
  bool has_work_tree() const;

  // The branch HEAD points at (also when unborn); nullopt when detached.
  std::optional<std::string> current_branch() const;
  // Full hex id of HEAD's commit; nullopt when unborn.
  std::optional<std::string> head_id() const;
  // Short (7) hex id.
  static std::string short_id(const std::string& id);

  // Changed, staged and untracked (not ignored) files.
  std::vector<StatusEntry> status() const;
  bool is_clean() const { return status().empty(); }

  // Stage every file of the work tree (respecting .gitignore), removals
  // too, like "git add -A".
  void add_all();
  // Commit the index on HEAD with the configured signature; returns the id.
  std::string commit(const std::string& message);
  // Create the annotated tag `name` on commit `target`.
  void create_tag(const std::string& name, const std::string& target,
                  const std::string& message);

  std::vector<std::string> local_branches() const;
  std::vector<std::string> tags() const;
  // The commit a tag or branch points to.
  std::optional<std::string> resolve(const std::string& refish) const;

  bool branch_exists(const std::string& name) const;
  // Create branch `name` at commit `target`; fatal if it exists.
  void create_branch(const std::string& name, const std::string& target);
  // Point branch `name` at commit `target` (created or moved).
  void set_branch(const std::string& name, const std::string& target,
                  const std::string& log_message);
  // Check out branch `name` (safe: never overwrites local changes) and
  // make it HEAD.
  void checkout_branch(const std::string& name);
  // Whether commit `ancestor` is `descendant` or one of its ancestors.
  bool is_ancestor(const std::string& ancestor,
                   const std::string& descendant) const;

  // The content of `path` in the tree of `refish` (a commit, branch or
  // tag); nullopt when it has no such file.
  std::optional<std::string> read_blob(const std::string& refish,
                                       const std::string& path) const;
  // The files directly in `dir` of the tree of `refish`: (name, content),
  // in name order. Empty when the directory does not exist. Symbolic links
  // come as files holding their target; submodules and directories are
  // left out: use read_dir_entries() where that matters.
  std::vector<std::pair<std::string, std::string>>
  read_dir(const std::string& refish, const std::string& dir) const;
  // Same for the index (what is staged).
  std::vector<std::pair<std::string, std::string>>
  read_index_dir(const std::string& dir) const;
  // Every entry directly in `dir` of the tree of `refish`, with its kind,
  // in name order; the content of files and executables only. Empty when
  // the directory does not exist; fatal when `dir` is not a directory
  // there (a symbolic link...).
  std::vector<DirEntry> read_dir_entries(const std::string& refish,
                                         const std::string& dir) const;
  // Same for the index (stage 0): a staged path below `dir`/<name>/ shows
  // as one directory entry <name>.
  std::vector<DirEntry> read_index_dir_entries(const std::string& dir) const;

  // Every staged file under `prefix` ("blog/"), recursively: (path,
  // content), in path order.
  std::vector<std::pair<std::string, std::string>>
  read_index_prefix(const std::string& prefix) const;
  // Paths whose staged content differs from HEAD (all of them on an
  // unborn branch).
  std::vector<std::string> staged_paths() const;

  // A value of git's configuration ("core.hooksPath") as git reads it
  // ('git config --get', which honours git -c and GIT_CONFIG_*); nullopt
  // when unset. Fatal when git cannot read its configuration.
  std::optional<std::string> config_string(const std::string& key) const;
  // The same for a path: git expands a leading ~/ or ~user/.
  std::optional<std::string> config_path(const std::string& key) const;
  // The directory shared by all work trees (.git of the main one).
  std::filesystem::path commondir() const;

  // Attach `text` as the note of `target` under `notes_ref`.
  void add_note(const std::string& notes_ref, const std::string& target,
                const std::string& text);
  std::optional<std::string> read_note(const std::string& notes_ref,
                                       const std::string& target) const;

  // --- Release history (objects.cpp) -------------------------------------

  // The tag refs/tags/`name`; nullopt when there is none.
  std::optional<TagInfo> tag_info(const std::string& name) const;
  // The commits of `ref`'s first-parent history, newest first (empty when
  // `ref` does not resolve).
  std::vector<std::string> first_parent_history(const std::string& ref) const;
  // The object id of `path` in the tree of `refish`.
  std::optional<std::string> entry_id(const std::string& refish,
                                      const std::string& path) const;
  // Write the files of `refish`'s tree into the new directory `dir`,
  // without touching the index or the work tree.
  void export_tree(const std::string& refish,
                   const std::filesystem::path& dir) const;
  // The branches checked out in the other work trees of the repository:
  // (branch, work tree).
  std::vector<std::pair<std::string, std::filesystem::path>>
  branches_in_other_worktrees() const;

  // --- Writing a release: objects first, refs last (write.cpp) ----------
  // None of the write_* functions moves a ref.

  // A blob of `content`; returns its id.
  std::string write_blob(const std::string& content);
  // The tree of commit `base` with `files` (path, blob id; mode 100644)
  // added or replaced; returns its id.
  std::string
  write_tree(const std::string& base,
             const std::vector<std::pair<std::string, std::string>>& files);
  // A commit of `tree` with `parents` (configured signature).
  std::string write_commit(const std::string& tree,
                           const std::vector<std::string>& parents,
                           const std::string& message);
  // An annotated tag object `name` on commit `target`.
  std::string write_tag(const std::string& name, const std::string& target,
                        const std::string& message);
  // A commit of `notes_ref` on top of its current one, with `text` added
  // as the note of `target`.
  std::string write_note(const std::string& notes_ref,
                         const std::string& target, const std::string& text);
  // Move refs, batch after batch (one libgit2 transaction each: its refs
  // are locked, checked to be at their `old` value, then moved). Every
  // ref is checked before the first batch: fatal, with no ref moved, when
  // one is not where expected. A lock held by someone else is fatal too.
  void update_refs(const std::vector<std::vector<RefUpdate>>& batches,
                   const std::string& log_message);
  // The id ref `name` points at (not peeled); nullopt when absent or
  // symbolic.
  std::optional<std::string> ref_target(const std::string& name) const;
  // Make branch `name` the current one; index and work tree untouched.
  void set_head(const std::string& branch);
  // Write `paths` of commit `commit` into the work tree and the index,
  // replacing what is there (removing what `commit` lacks).
  void checkout_paths(const std::string& commit,
                      const std::vector<std::string>& paths);
  // The paths whose content differs between commits `a` and `b`.
  std::vector<std::string> diff_paths(const std::string& a,
                                      const std::string& b) const;
  // Commit `id`; nullopt when there is no such commit.
  std::optional<CommitInfo> commit_info(const std::string& id) const;
  // Every note of `notes_ref`: (annotated object, note blob).
  std::vector<std::pair<std::string, std::string>>
  notes(const std::string& notes_ref) const;
  // The note of `target` in the notes commit `notes_commit`.
  std::optional<std::string> read_note_in(const std::string& notes_commit,
                                          const std::string& target) const;
  // The content of blob `id`.
  std::optional<std::string> read_blob_id(const std::string& id) const;
  // The refs whose name starts with `prefix` ("refs/hop/"): (name, id),
  // symbolic ones left out.
  std::vector<std::pair<std::string, std::string>>
  refs_under(const std::string& prefix) const;
  // The lock files (<ref>.lock) that exist for `names`: what a git killed
  // while it held them leaves behind.
  std::vector<std::string>
  locked_refs(const std::vector<std::string>& names) const;

  // The URL of remote `name`, if it exists.
  std::optional<std::string> remote_url(const std::string& name) const;

  // Whether git has an identity to commit with here; if not, `error`
  // receives git's reason.
  bool has_signature(std::string* error) const;

  // Stage `files` (path relative to the work tree root, content), which
  // were just written there with exactly that content: the blobs are hashed
  // from memory and the stat data read from the files (nothing is read
  // back), and the index is written. For a new repository, in place of
  // add_all().
  void stage_written_files(
      const std::vector<std::pair<std::string, std::string>>& files);
  // Run `write`, keeping the objects it writes in memory, then store the
  // commits it made and everything they reach (trees, blobs; notes are
  // commits too) as one pack file: two files in objects/pack instead of a
  // loose file per object. Objects no commit reaches (an annotated tag) are
  // dropped: write them after. When `write` throws, all are dropped.
  void write_objects_as_one_pack(const std::function<void()>& write);

private:
  explicit Repository(git_repository* repo);
  struct Free
  {
    void operator()(git_repository* r) const;
  };
  std::unique_ptr<git_repository, Free> m_repo;
};

// A cheap answer for hooks, without starting libgit2: the branch HEAD
// points at, read from the HEAD file (GIT_DIR, or the .git of
// `worktree_root`, a file in linked work trees); nullopt when detached or
// unreadable.
std::optional<std::string>
quick_branch(const std::filesystem::path& worktree_root);

// Whether git has an identity to commit with outside any repository (the
// user's configuration, git -c, the identity variables); if not, `error`
// receives git's reason.
bool default_signature_available(std::string* error);

} // namespace hop::git
