// Repository functions that write a release the way design §11.1 wants
// it: objects first (blobs, tree, commit, tag object, notes commit), none
// of which moves a ref, then the refs, locked together and moved in
// batches whose order the caller chooses; then HEAD and the few paths of
// the work tree that changed.
#include "../output.hpp"
#include "internal.hpp"
#include "repository.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace hop::git {

using namespace detail;

namespace {

using NoteHandle = Ptr<git_note, git_note_free>;
using DiffHandle = Ptr<git_diff, git_diff_free>;
using TreeEntryHandle = Ptr<git_tree_entry, git_tree_entry_free>;

CommitHandle lookup_commit(git_repository* repo, const std::string& id)
{
  git_oid oid = parse_oid(id);
  git_commit* raw = nullptr;
  check(git_commit_lookup(&raw, repo, &oid), "cannot find commit " + id);
  return CommitHandle(raw);
}

TreeHandle commit_tree(git_repository* repo, const std::string& id)
{
  CommitHandle commit = lookup_commit(repo, id);
  git_tree* raw = nullptr;
  check(git_commit_tree(&raw, commit.get()), "cannot read the tree of " + id);
  return TreeHandle(raw);
}

std::string short_of(const std::string& id)
{
  return id.substr(0, 7);
}

// `text` into `path`, atomically (a temporary file renamed over it).
void write_file_atomically(const std::filesystem::path& path,
                           const std::string& text, mode_t mode)
{
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::path tmp = path;
  tmp += ".hop-tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    throw fatal("cannot write '" + tmp.string() + "'")
        .detail(std::strerror(errno));
  }
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      throw fatal("cannot write '" + tmp.string() + "'")
          .detail(std::strerror(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw fatal("cannot write '" + path.string() + "'")
        .detail(std::strerror(err));
  }
}

} // namespace

std::string Repository::write_blob(const std::string& content)
{
  git_oid id;
  check(git_blob_create_from_buffer(&id, m_repo.get(), content.data(),
                                    content.size()),
        "cannot write a file into git");
  return oid_str(&id);
}

std::string Repository::write_tree(
    const std::string& base,
    const std::vector<std::pair<std::string, std::string>>& files)
{
  TreeHandle tree = commit_tree(m_repo.get(), base);
  std::vector<git_tree_update> updates;
  updates.reserve(files.size());
  for (const auto& [path, blob] : files) {
    git_tree_update u{};
    u.action = GIT_TREE_UPDATE_UPSERT;
    u.id = parse_oid(blob);
    u.filemode = GIT_FILEMODE_BLOB;
    u.path = path.c_str();
    updates.push_back(u);
  }
  git_oid id;
  check(git_tree_create_updated(&id, m_repo.get(), tree.get(), updates.size(),
                                updates.data()),
        "cannot write the tree of the release");
  return oid_str(&id);
}

std::string Repository::write_commit(const std::string& tree,
                                     const std::vector<std::string>& parents,
                                     const std::string& message)
{
  git_oid tree_id = parse_oid(tree);
  git_tree* raw_tree = nullptr;
  check(git_tree_lookup(&raw_tree, m_repo.get(), &tree_id),
        "cannot read tree " + tree);
  TreeHandle tree_handle(raw_tree);
  std::vector<CommitHandle> held;
  std::vector<const git_commit*> raw;
  for (const auto& p : parents) {
    held.push_back(lookup_commit(m_repo.get(), p));
    raw.push_back(held.back().get());
  }
  SignatureHandle author = author_signature(m_repo.get());
  SignatureHandle committer = committer_signature(m_repo.get());
  git_oid id;
  check(git_commit_create(&id, m_repo.get(), nullptr, author.get(),
                          committer.get(), nullptr, message.c_str(), raw_tree,
                          raw.size(), raw.empty() ? nullptr : raw.data()),
        "cannot commit");
  std::string hex = oid_str(&id);
  output::trace("git: commit " + short_of(hex) + " " +
                message.substr(0, message.find('\n')) + " (no ref moved)");
  return hex;
}

std::string Repository::write_tag(const std::string& name,
                                  const std::string& target,
                                  const std::string& message)
{
  git_oid oid = parse_oid(target);
  git_object* raw = nullptr;
  check(git_object_lookup(&raw, m_repo.get(), &oid, GIT_OBJECT_COMMIT),
        "cannot find commit " + target);
  ObjectHandle obj(raw);
  SignatureHandle tagger = committer_signature(m_repo.get());
  git_oid id;
  check(git_tag_annotation_create(&id, m_repo.get(), name.c_str(), raw,
                                  tagger.get(), message.c_str()),
        "cannot write the tag object '" + name + "'");
  std::string hex = oid_str(&id);
  output::trace("git: tag object " + name + " " + short_of(hex) + " on " +
                short_of(target) + " (no ref moved)");
  return hex;
}

std::string Repository::write_note(const std::string& notes_ref,
                                   const std::string& target,
                                   const std::string& text)
{
  CommitHandle parent;
  git_oid parent_id;
  if (git_reference_name_to_id(&parent_id, m_repo.get(), notes_ref.c_str()) ==
      0) {
    git_commit* raw = nullptr;
    check(git_commit_lookup(&raw, m_repo.get(), &parent_id),
          "cannot read " + notes_ref);
    parent.reset(raw);
  }
  SignatureHandle author = author_signature(m_repo.get());
  SignatureHandle committer = committer_signature(m_repo.get());
  git_oid oid = parse_oid(target);
  git_oid commit_id;
  git_oid blob_id;
  check(git_note_commit_create(&commit_id, &blob_id, m_repo.get(), parent.get(),
                               author.get(), committer.get(), &oid,
                               text.c_str(), 0),
        "cannot write the note of " + short_of(target) + " in " + notes_ref);
  std::string hex = oid_str(&commit_id);
  output::trace("git: notes commit " + short_of(hex) + " on " +
                short_of(target) + " (no ref moved)");
  return hex;
}

namespace {

// "git: hop_main -> 1a2b3c4", "git: tag 0.1.0 -> ...": a trace line per
// ref moved.
void trace_moves(const std::vector<RefUpdate>& batch)
{
  for (const auto& u : batch) {
    std::string name = u.name;
    if (name.rfind("refs/heads/", 0) == 0) {
      name = name.substr(11);
    } else if (name.rfind("refs/tags/", 0) == 0) {
      name = "tag " + name.substr(10);
    }
    output::trace("git: " + name + " -> " + short_of(u.target));
  }
}

} // namespace

void Repository::update_refs(const std::vector<std::vector<RefUpdate>>& batches,
                             const std::string& log_message)
{
  SignatureHandle sig = committer_signature(m_repo.get());
  auto moved = [&](const RefUpdate& u) {
    return fatal(u.name + " is not where git-hop expects it")
        .detail("expected: " + u.old.value_or("(none)") +
                ", found: " + ref_target(u.name).value_or("(none)"));
  };
  // Every batch is checked before the first one moves. Each is then locked
  // (and checked again under its locks) only when the one before it is
  // committed: a kill between two batches leaves no lock file behind.
  for (const auto& batch : batches) {
    for (const auto& u : batch) {
      if (ref_target(u.name) != u.old) {
        throw moved(u).detail("No ref was moved.");
      }
    }
  }
  for (size_t b = 0; b < batches.size(); ++b) {
    if (batches[b].empty()) {
      continue;
    }
    std::string moved_already =
        b == 0 ? "No ref was moved."
               : "The refs before it were moved: run the command again.";
    git_transaction* raw = nullptr;
    check(git_transaction_new(&raw, m_repo.get()),
          "cannot start a ref transaction");
    TransactionHandle tx(raw);
    for (const auto& u : batches[b]) {
      if (git_transaction_lock_ref(raw, u.name.c_str()) < 0) {
        std::string why = last_error();
        throw fatal("cannot lock " + u.name)
            .detail(why)
            .detail(moved_already)
            .hint("Another git command may be running; if none is, remove "
                  "the file '" +
                  (commondir() / (u.name + ".lock")).string() + "'.");
      }
    }
    for (const auto& u : batches[b]) {
      if (ref_target(u.name) != u.old) {
        throw moved(u).detail(moved_already);
      }
      git_oid target = parse_oid(u.target);
      check(git_transaction_set_target(raw, u.name.c_str(), &target, sig.get(),
                                       log_message.c_str()),
            "cannot move " + u.name);
    }
    check(git_transaction_commit(raw), "cannot move the refs");
    tx.reset();
    trace_moves(batches[b]);
  }
}

std::optional<std::string> Repository::ref_target(const std::string& name) const
{
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, m_repo.get(), name.c_str()) < 0) {
    return std::nullopt;
  }
  RefHandle ref(raw);
  const git_oid* target = git_reference_target(raw);
  if (!target) {
    return std::nullopt; // symbolic
  }
  return oid_str(target);
}

void Repository::set_head(const std::string& branch)
{
  std::string ref = "refs/heads/" + branch;
  check(git_repository_set_head(m_repo.get(), ref.c_str()),
        "cannot make " + branch + " the current branch");
  output::trace("git: HEAD -> " + branch);
}

void Repository::checkout_paths(const std::string& commit,
                                const std::vector<std::string>& paths)
{
  if (paths.empty()) {
    return;
  }
  TreeHandle tree = commit_tree(m_repo.get(), commit);
  git_index* raw_index = nullptr;
  check(git_repository_index(&raw_index, m_repo.get()),
        "cannot read the index");
  IndexHandle index(raw_index);
  std::filesystem::path root = workdir();
  for (const auto& path : paths) {
    std::filesystem::path file = root / path;
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, tree.get(), path.c_str()) < 0) {
      std::error_code ec;
      std::filesystem::remove(file, ec);
      git_index_remove_bypath(raw_index, path.c_str());
      continue;
    }
    TreeEntryHandle entry(raw_entry);
    git_filemode_t mode = git_tree_entry_filemode(raw_entry);
    if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
      throw fatal("cannot check out '" + path + "': not a regular file");
    }
    git_blob* raw_blob = nullptr;
    check(
        git_blob_lookup(&raw_blob, m_repo.get(), git_tree_entry_id(raw_entry)),
        "cannot read '" + path + "'");
    BlobHandle blob(raw_blob);
    std::string text(static_cast<const char*>(git_blob_rawcontent(raw_blob)),
                     static_cast<size_t>(git_blob_rawsize(raw_blob)));
    write_file_atomically(file, text,
                          mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
    check(git_index_add_bypath(raw_index, path.c_str()),
          "cannot stage '" + path + "'");
  }
  check(git_index_write(raw_index), "cannot write the index");
  output::trace("git: checked out " + std::to_string(paths.size()) +
                " paths of " + short_of(commit));
}

std::vector<std::string> Repository::diff_paths(const std::string& a,
                                                const std::string& b) const
{
  TreeHandle ta = commit_tree(m_repo.get(), a);
  TreeHandle tb = commit_tree(m_repo.get(), b);
  git_diff* raw = nullptr;
  check(git_diff_tree_to_tree(&raw, m_repo.get(), ta.get(), tb.get(), nullptr),
        "cannot compare " + short_of(a) + " with " + short_of(b));
  DiffHandle diff(raw);
  // No rename detection here: each delta has one path.
  return delta_paths(raw);
}

std::optional<CommitInfo> Repository::commit_info(const std::string& id) const
{
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) < 0) {
    return std::nullopt;
  }
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, m_repo.get(), &oid) < 0) {
    return std::nullopt;
  }
  CommitHandle commit(raw);
  CommitInfo info;
  info.id = oid_str(git_commit_id(raw));
  info.tree = oid_str(git_commit_tree_id(raw));
  const char* message = git_commit_message(raw);
  info.message = message ? message : "";
  for (unsigned i = 0; i < git_commit_parentcount(raw); ++i) {
    info.parents.push_back(oid_str(git_commit_parent_id(raw, i)));
  }
  return info;
}

std::vector<std::pair<std::string, std::string>>
Repository::notes(const std::string& notes_ref) const
{
  std::vector<std::pair<std::string, std::string>> out;
  git_oid ignored;
  if (git_reference_name_to_id(&ignored, m_repo.get(), notes_ref.c_str()) < 0) {
    return out;
  }
  auto each = [](const git_oid* blob, const git_oid* annotated,
                 void* payload) -> int {
    static_cast<std::vector<std::pair<std::string, std::string>>*>(payload)
        ->emplace_back(oid_str(annotated), oid_str(blob));
    return 0;
  };
  check(git_note_foreach(m_repo.get(), notes_ref.c_str(), each, &out),
        "cannot list the notes of " + notes_ref);
  return out;
}

std::optional<std::string>
Repository::read_note_in(const std::string& notes_commit,
                         const std::string& target) const
{
  git_oid commit_id;
  git_oid oid;
  if (git_oid_fromstr(&commit_id, notes_commit.c_str()) < 0 ||
      git_oid_fromstr(&oid, target.c_str()) < 0) {
    return std::nullopt;
  }
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, m_repo.get(), &commit_id) < 0) {
    return std::nullopt;
  }
  CommitHandle commit(raw_commit);
  git_note* raw = nullptr;
  if (git_note_commit_read(&raw, m_repo.get(), raw_commit, &oid) < 0) {
    return std::nullopt;
  }
  NoteHandle note(raw);
  return std::string(git_note_message(raw));
}

std::optional<std::string> Repository::read_blob_id(const std::string& id) const
{
  git_oid oid;
  if (git_oid_fromstr(&oid, id.c_str()) < 0) {
    return std::nullopt;
  }
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, m_repo.get(), &oid) < 0) {
    return std::nullopt;
  }
  BlobHandle blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(raw)),
                     static_cast<size_t>(git_blob_rawsize(raw)));
}

std::vector<std::pair<std::string, std::string>>
Repository::refs_under(const std::string& prefix) const
{
  using IterHandle = Ptr<git_reference_iterator, git_reference_iterator_free>;
  std::vector<std::pair<std::string, std::string>> out;
  git_reference_iterator* raw = nullptr;
  check(git_reference_iterator_glob_new(&raw, m_repo.get(),
                                        (prefix + "*").c_str()),
        "cannot list the refs under " + prefix);
  IterHandle it(raw);
  git_reference* ref = nullptr;
  while (git_reference_next(&ref, raw) == 0) {
    RefHandle held(ref);
    if (const git_oid* target = git_reference_target(ref)) {
      out.emplace_back(git_reference_name(ref), oid_str(target));
    }
  }
  return out;
}

std::vector<std::string>
Repository::locked_refs(const std::vector<std::string>& names) const
{
  std::vector<std::string> out;
  std::filesystem::path common = commondir();
  std::filesystem::path own = gitdir();
  for (const auto& name : names) {
    std::filesystem::path dir =
        name.rfind("refs/", 0) == 0 ? common : own; // HEAD is per work tree
    std::error_code ec;
    if (std::filesystem::exists(dir / (name + ".lock"), ec)) {
      out.push_back((dir / (name + ".lock")).string());
    }
  }
  return out;
}

} // namespace hop::git
