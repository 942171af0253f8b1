// Repository functions that read release history from git objects: tags,
// first-parent history, entries and whole trees, without a checkout.
#include "../output.hpp"
#include "internal.hpp"
#include "repository.hpp"

#include <git2/worktree.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hop::git {

using namespace detail;

std::optional<TagInfo> Repository::tag_info(const std::string& name) const
{
  git_reference* raw_ref = nullptr;
  if (git_reference_lookup(&raw_ref, m_repo.get(),
                           ("refs/tags/" + name).c_str()) < 0) {
    return std::nullopt;
  }
  RefHandle ref(raw_ref);
  git_object* raw_obj = nullptr;
  check(git_reference_peel(&raw_obj, raw_ref, GIT_OBJECT_ANY),
        "cannot read tag '" + name + "'");
  ObjectHandle obj(raw_obj);
  TagInfo info;
  info.name = name;
  const git_oid* target = git_reference_target(raw_ref);
  if (!target) {
    return std::nullopt; // a symbolic ref under refs/tags: not a release
  }
  info.object = oid_str(target);
  git_tag* raw_tag = nullptr;
  if (git_tag_lookup(&raw_tag, m_repo.get(), target) == 0) {
    TagHandle tag(raw_tag);
    info.annotated = true;
    const char* message = git_tag_message(raw_tag);
    info.message = message ? message : "";
  }
  git_object* raw_commit = nullptr;
  if (git_reference_peel(&raw_commit, raw_ref, GIT_OBJECT_COMMIT) == 0) {
    ObjectHandle commit(raw_commit);
    info.commit = oid_str(git_object_id(raw_commit));
  }
  return info;
}

std::vector<std::string>
Repository::first_parent_history(const std::string& ref) const
{
  std::vector<std::string> out;
  auto start = resolve(ref);
  if (!start) {
    return out;
  }
  git_revwalk* raw = nullptr;
  check(git_revwalk_new(&raw, m_repo.get()), "cannot walk the history");
  RevwalkHandle walk(raw);
  git_oid oid = parse_oid(*start);
  check(git_revwalk_push(raw, &oid), "cannot walk the history of " + ref);
  check(git_revwalk_simplify_first_parent(raw), "cannot walk the history");
  git_oid next;
  while (git_revwalk_next(&next, raw) == 0) {
    out.push_back(oid_str(&next));
  }
  return out;
}

std::optional<std::string> Repository::entry_id(const std::string& refish,
                                                const std::string& path) const
{
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, m_repo.get(), (refish + "^{tree}").c_str()) <
      0) {
    return std::nullopt;
  }
  ObjectHandle tree(raw);
  git_tree_entry* entry = nullptr;
  if (git_tree_entry_bypath(&entry, reinterpret_cast<git_tree*>(raw),
                            path.c_str()) < 0) {
    return std::nullopt;
  }
  std::string id = oid_str(git_tree_entry_id(entry));
  git_tree_entry_free(entry);
  return id;
}

namespace {

struct Export
{
  git_repository* repo;
  std::filesystem::path dir;
  std::string error;
};

void write_all(const std::filesystem::path& path, const void* data, size_t size,
               mode_t mode)
{
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw fatal("cannot write '" + path.string() + "'")
        .detail(std::strerror(errno));
  }
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw fatal("cannot write '" + path.string() + "'")
          .detail(std::strerror(err));
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  ::close(fd);
}

int export_entry(const char* root, const git_tree_entry* entry, void* payload)
{
  auto* ex = static_cast<Export*>(payload);
  std::filesystem::path path = ex->dir / root / git_tree_entry_name(entry);
  try {
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      std::filesystem::create_directory(path);
      return 0;
    }
    if (mode == GIT_FILEMODE_COMMIT) {
      return 0; // a submodule: nothing to export
    }
    git_blob* raw = nullptr;
    check(git_blob_lookup(&raw, ex->repo, git_tree_entry_id(entry)),
          "cannot read " + path.string());
    BlobHandle blob(raw);
    const void* data = git_blob_rawcontent(raw);
    auto size = static_cast<size_t>(git_blob_rawsize(raw));
    if (mode == GIT_FILEMODE_LINK) {
      std::string target(static_cast<const char*>(data), size);
      std::filesystem::create_symlink(target, path);
      return 0;
    }
    write_all(path, data, size,
              mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
  } catch (const std::exception& e) {
    ex->error = e.what();
    return -1;
  }
  return 0;
}

} // namespace

void Repository::export_tree(const std::string& refish,
                             const std::filesystem::path& dir) const
{
  git_object* raw = nullptr;
  check(git_revparse_single(&raw, m_repo.get(), (refish + "^{tree}").c_str()),
        "cannot find '" + refish + "'");
  ObjectHandle tree(raw);
  std::filesystem::create_directories(dir);
  Export ex{m_repo.get(), dir, ""};
  int rc = git_tree_walk(reinterpret_cast<git_tree*>(raw), GIT_TREEWALK_PRE,
                         export_entry, &ex);
  if (rc < 0) {
    throw fatal("cannot export the tree of '" + refish + "' to '" +
                dir.string() + "'")
        .detail(ex.error.empty() ? last_error() : ex.error);
  }
  output::trace("git: exported " + refish + " to " + dir.string());
}

namespace {

// The branch HEAD of `repo` points at, if any.
std::optional<std::string> head_branch(git_repository* repo)
{
  git_reference* raw_head = nullptr;
  if (git_reference_lookup(&raw_head, repo, "HEAD") < 0) {
    return std::nullopt;
  }
  RefHandle head(raw_head);
  if (git_reference_type(raw_head) != GIT_REFERENCE_SYMBOLIC) {
    return std::nullopt;
  }
  std::string target = git_reference_symbolic_target(raw_head);
  if (target.rfind("refs/heads/", 0) != 0) {
    return std::nullopt;
  }
  return target.substr(11);
}

} // namespace

std::vector<std::pair<std::string, std::filesystem::path>>
Repository::branches_in_other_worktrees() const
{
  std::vector<std::pair<std::string, std::filesystem::path>> out;
  std::string here = git_repository_path(m_repo.get());
  git_strarray names{};
  if (git_worktree_list(&names, m_repo.get()) == 0) {
    for (size_t i = 0; i < names.count; ++i) {
      git_worktree* raw_wt = nullptr;
      if (git_worktree_lookup(&raw_wt, m_repo.get(), names.strings[i]) < 0) {
        continue;
      }
      WorktreeHandle wt(raw_wt);
      git_repository* raw_repo = nullptr;
      if (git_worktree_validate(raw_wt) < 0 || // pruned or missing
          git_repository_open_from_worktree(&raw_repo, raw_wt) < 0) {
        continue;
      }
      RepositoryHandle repo(raw_repo);
      auto branch = head_branch(raw_repo);
      if (branch && here != git_repository_path(raw_repo)) {
        out.emplace_back(*branch, git_worktree_path(raw_wt));
      }
    }
    git_strarray_dispose(&names);
  }
  // The main work tree, when we are in a linked one.
  if (git_repository_is_worktree(m_repo.get()) != 1) {
    return out;
  }
  git_repository* raw_main = nullptr;
  std::string common = git_repository_commondir(m_repo.get());
  if (git_repository_open_ext(&raw_main, common.c_str(),
                              GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0) {
    return out;
  }
  RepositoryHandle main(raw_main);
  auto branch =
      git_repository_is_bare(raw_main) ? std::nullopt : head_branch(raw_main);
  if (branch) {
    const char* wd = git_repository_workdir(raw_main);
    out.emplace_back(*branch, wd ? wd : common);
  }
  return out;
}

} // namespace hop::git
