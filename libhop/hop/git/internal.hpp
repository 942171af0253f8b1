// Shared by the files of the git module only: RAII handles for libgit2
// objects and the error bridge. Never included outside libhop/hop/git/.
#pragma once

#include "../error.hpp"

#include <git2.h>

#include <memory>
#include <string>
#include <vector>

namespace hop::git::detail {

template <typename T, void (*F)(T*)>
struct Deleter
{
  void operator()(T* p) const { F(p); }
};

template <typename T, void (*F)(T*)>
using Ptr = std::unique_ptr<T, Deleter<T, F>>;

using CommitHandle = Ptr<git_commit, git_commit_free>;
using TreeHandle = Ptr<git_tree, git_tree_free>;
using TagHandle = Ptr<git_tag, git_tag_free>;
using ObjectHandle = Ptr<git_object, git_object_free>;
using RefHandle = Ptr<git_reference, git_reference_free>;
using RevwalkHandle = Ptr<git_revwalk, git_revwalk_free>;
using BlobHandle = Ptr<git_blob, git_blob_free>;
using SignatureHandle = Ptr<git_signature, git_signature_free>;
using TransactionHandle = Ptr<git_transaction, git_transaction_free>;
using WorktreeHandle = Ptr<git_worktree, git_worktree_free>;
using RepositoryHandle = Ptr<git_repository, git_repository_free>;
using IndexHandle = Ptr<git_index, git_index_free>;
using TreeBuilderHandle = Ptr<git_treebuilder, git_treebuilder_free>;

inline std::string last_error()
{
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

inline void check(int rc, const std::string& what)
{
  if (rc < 0) {
    throw fatal(what).detail(last_error());
  }
}

inline std::string oid_str(const git_oid* oid)
{
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

inline git_oid parse_oid(const std::string& hex)
{
  git_oid oid;
  check(git_oid_fromstr(&oid, hex.c_str()), "invalid object id " + hex);
  return oid;
}

// The signatures git would write in `repo` ('git var GIT_AUTHOR_IDENT' /
// 'GIT_COMMITTER_IDENT', asked once per repository and process: git -c,
// GIT_CONFIG_*, GIT_AUTHOR_*, GIT_COMMITTER_*, every configuration file).
// Use them for every object git-hop creates: commits (both), tags (the
// committer is the tagger), notes (both); never git_signature_default(),
// which ignores all of these. Fatal "no git identity" with git's reason.
SignatureHandle author_signature(git_repository* repo);
SignatureHandle committer_signature(git_repository* repo);

// The path of each delta of `diff`, and the old path of a rename.
std::vector<std::string> delta_paths(git_diff* diff);

} // namespace hop::git::detail
