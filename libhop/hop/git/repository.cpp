#include "repository.hpp"

#include "../error.hpp"
#include "../output.hpp"
#include "../process.hpp"
#include "../util/file.hpp"
#include "ca_bundle.hpp"
#include "command.hpp"
#include "internal.hpp"

#include <git2.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>

namespace hop::git {

namespace {

template <typename T, void (*F)(T*)>
struct Deleter
{
  void operator()(T* p) const { F(p); }
};

using IndexPtr = std::unique_ptr<git_index, Deleter<git_index, git_index_free>>;
using SignaturePtr =
    std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using CommitPtr =
    std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using ObjectPtr =
    std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using RefPtr =
    std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using StatusListPtr =
    std::unique_ptr<git_status_list,
                    Deleter<git_status_list, git_status_list_free>>;
using BranchIterPtr =
    std::unique_ptr<git_branch_iterator,
                    Deleter<git_branch_iterator, git_branch_iterator_free>>;
using ConfigPtr =
    std::unique_ptr<git_config, Deleter<git_config, git_config_free>>;

std::string last_error()
{
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

void check(int rc, const std::string& what)
{
  if (rc < 0) {
    throw fatal(what).detail(last_error());
  }
}

std::string oid_str(const git_oid* oid)
{
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

struct StrArray
{
  git_strarray array{};
  ~StrArray() { git_strarray_dispose(&array); }
};

// Use the index named by GIT_INDEX_FILE, as git does, when it is set.
void use_index_from_env(git_repository* repo)
{
  const char* index_file = std::getenv("GIT_INDEX_FILE");
  if (index_file && *index_file) {
    git_index* index = nullptr;
    check(git_index_open(&index, index_file),
          std::string("cannot open the index '") + index_file +
              "' named by GIT_INDEX_FILE");
    IndexPtr holder(index);
    git_repository_set_index(repo, index);
  }
}

} // namespace

Library::Library()
{
  {
    SkipCaBundle skip; // git-hop uses no network through libgit2
    git_libgit2_init();
  }
  // git itself accepts repositories with these extensions.
  const char* extensions[] = {"worktreeconfig"};
  git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, extensions, 1);
}

Library::~Library()
{
  git_libgit2_shutdown();
}

namespace {

void ensure_library()
{
  static Library library;
}

} // namespace

namespace {

// An identity as git gives it: "Name <email> 1234567890 +0100".
struct Ident
{
  std::string name;
  std::string email;
  git_time_t time = 0;
  int offset = 0; // minutes east of UTC
};

// A question to git about `repo` (nullptr: outside any repository).
process::Result ask_git(git_repository* repo, std::vector<std::string> args)
{
  const char* workdir = repo ? git_repository_workdir(repo) : nullptr;
  return run_git_about(repo ? git_repository_path(repo) : "",
                       workdir ? workdir : "", std::move(args));
}

// git's own complaint: its last line, without "fatal: ".
std::string git_complaint(const process::Result& r)
{
  auto lines = process::last_lines(r.err, 1);
  std::string line = lines.empty() ? r.describe() : lines.front();
  for (const char* prefix : {"fatal: ", "error: "}) {
    if (line.rfind(prefix, 0) == 0) {
      line.erase(0, std::strlen(prefix));
    }
  }
  return line;
}

std::optional<Ident> parse_ident(const std::string& text)
{
  // The name holds no '<' or '>' (git removes them).
  size_t lt = text.find('<');
  size_t gt = text.find('>', lt == std::string::npos ? 0 : lt);
  if (lt == std::string::npos || gt == std::string::npos) {
    return std::nullopt;
  }
  Ident id;
  id.name = text.substr(0, lt);
  while (!id.name.empty() && id.name.back() == ' ') {
    id.name.pop_back();
  }
  id.email = text.substr(lt + 1, gt - lt - 1);
  long long when = 0;
  char sign = 0;
  int hh = 0;
  int mm = 0;
  if (std::sscanf(text.c_str() + gt + 1, " %lld %c%2d%2d", &when, &sign, &hh,
                  &mm) != 4 ||
      (sign != '+' && sign != '-')) {
    return std::nullopt;
  }
  id.time = static_cast<git_time_t>(when);
  id.offset = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  return id;
}

// The identity git would use for `var` (GIT_AUTHOR_IDENT or
// GIT_COMMITTER_IDENT): 'git var' applies git -c, GIT_CONFIG_*, the
// identity and date variables, every configuration file and git's own
// rules. Throws the fatal "no git identity" with git's reason.
Ident ask_ident(git_repository* repo, const char* var)
{
  process::Result r = ask_git(repo, {"var", var});
  std::string text = r.out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.pop_back();
  }
  std::optional<Ident> id;
  if (r.ok()) {
    id = parse_ident(text);
  }
  if (!id) {
    throw fatal("no git identity to commit with")
        .detail(r.ok()
                    ? "'git var " + std::string(var) + "' gave '" + text + "'"
                    : git_complaint(r))
        .hint("Run 'git config --global user.name \"Your Name\"' and 'git "
              "config --global user.email you@example.com'.");
  }
  return *id;
}

struct Identities
{
  Ident author;
  Ident committer;
};

// Asked once per repository and process.
const Identities& identities(git_repository* repo)
{
  static std::map<std::string, Identities> cache;
  std::string key = repo ? git_repository_path(repo) : "";
  auto it = cache.find(key);
  if (it == cache.end()) {
    Identities ids{ask_ident(repo, "GIT_AUTHOR_IDENT"),
                   ask_ident(repo, "GIT_COMMITTER_IDENT")};
    it = cache.emplace(key, std::move(ids)).first;
  }
  return it->second;
}

enum class Role { author, committer };

// The signature git would write for `role` in `repo`: use it for every
// object git-hop creates (commits, tags: the committer; notes: both).
SignaturePtr signature(git_repository* repo, Role role)
{
  const Identities& ids = identities(repo);
  const Ident& id = role == Role::author ? ids.author : ids.committer;
  git_signature* raw = nullptr;
  check(git_signature_new(&raw, id.name.c_str(), id.email.c_str(), id.time,
                          id.offset),
        "invalid git identity '" + id.name + " <" + id.email + ">'");
  return SignaturePtr(raw);
}

} // namespace

namespace detail {

SignatureHandle author_signature(git_repository* repo)
{
  return SignatureHandle(signature(repo, Role::author).release());
}

SignatureHandle committer_signature(git_repository* repo)
{
  return SignatureHandle(signature(repo, Role::committer).release());
}

std::vector<std::string> delta_paths(git_diff* diff)
{
  std::vector<std::string> paths;
  size_t n = git_diff_num_deltas(diff);
  paths.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const git_diff_delta* d = git_diff_get_delta(diff, i);
    paths.emplace_back(d->new_file.path ? d->new_file.path : d->old_file.path);
    if (d->old_file.path && d->new_file.path &&
        std::string(d->old_file.path) != d->new_file.path) {
      paths.emplace_back(d->old_file.path);
    }
  }
  return paths;
}

} // namespace detail

namespace {

// A value of the configuration as libgit2 reads it (repository files
// only: for what git's environment cannot change, like core.worktree
// during discovery).
std::optional<std::string> libgit2_config_string(git_repository* repo,
                                                 const std::string& key)
{
  git_config* raw = nullptr;
  if (git_repository_config_snapshot(&raw, repo) < 0) {
    return std::nullopt;
  }
  ConfigPtr cfg(raw);
  const char* value = nullptr;
  if (git_config_get_string(&value, raw, key.c_str()) < 0 || !value) {
    return std::nullopt;
  }
  return std::string(value);
}

// 'git config --get' for `repo`: git's view of the configuration (git -c,
// GIT_CONFIG_*, includes, GIT_CONFIG_NOSYSTEM...). `type` is git's
// --type ("path" expands ~/).
std::optional<std::string>
git_config_get(git_repository* repo, const std::string& key, const char* type)
{
  std::vector<std::string> args = {"config", "-z"};
  if (type) {
    args.push_back(std::string("--type=") + type);
  }
  args.push_back("--get");
  args.push_back(key);
  process::Result r = ask_git(repo, std::move(args));
  if (r.ok()) {
    std::string value = r.out;
    if (!value.empty() && value.back() == '\0') {
      value.pop_back();
    }
    return value;
  }
  if (r.signal == 0 && r.exit_code == 1) {
    return std::nullopt; // not set
  }
  throw fatal("cannot read '" + key + "' from git's configuration")
      .detail(git_complaint(r));
}

} // namespace

void Repository::Free::operator()(git_repository* r) const
{
  git_repository_free(r);
}

Repository::Repository(git_repository* repo) : m_repo(repo) {}

Repository::~Repository() = default;

std::optional<Repository>
Repository::discover(const std::filesystem::path& path)
{
  namespace fs = std::filesystem;
  ensure_library();
  git_repository* raw = nullptr;
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  const char* git_dir = env("GIT_DIR");
  const char* work_tree = env("GIT_WORK_TREE");
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (git_dir) {
    // Inside a hook, or set by the user: git exports GIT_DIR (and maybe
    // GIT_WORK_TREE, which GIT_REPOSITORY_OPEN_FROM_ENV refuses in libgit2
    // 1.5).
    check(git_repository_open_ext(&raw, git_dir, GIT_REPOSITORY_OPEN_NO_SEARCH,
                                  nullptr),
          std::string("cannot open the git repository '") + git_dir +
              "' named by GIT_DIR");
  } else {
    // With GIT_WORK_TREE alone, git looks for the repository from the
    // current directory, as it always does.
    fs::path from = work_tree ? cwd : path;
    int rc = git_repository_open_ext(&raw, from.c_str(), 0,
                                     env("GIT_CEILING_DIRECTORIES"));
    if (rc == GIT_ENOTFOUND) {
      return std::nullopt;
    }
    check(rc, "cannot open the git repository at '" + from.string() + "'");
  }
  Repository repo(raw);
  // The work tree, as git decides it: GIT_WORK_TREE; else core.worktree
  // (libgit2 applies it); else, when GIT_DIR is set, the current directory
  // (libgit2 would take the parent of GIT_DIR), unless the repository is
  // bare.
  std::optional<fs::path> wanted;
  if (work_tree) {
    wanted = fs::absolute(work_tree, ec);
  } else if (git_dir && !git_repository_is_bare(raw) &&
             !libgit2_config_string(raw, "core.worktree")) {
    wanted = cwd;
  }
  // Only when it changes something: libgit2 1.5 leaks a buffer when the
  // work tree is already the one asked for.
  const char* current = git_repository_workdir(raw);
  if (wanted && !(current && fs::equivalent(current, *wanted, ec))) {
    check(git_repository_set_workdir(raw, wanted->c_str(), 0),
          "cannot use the work tree '" + wanted->string() + "'" +
              (work_tree ? " named by GIT_WORK_TREE" : ""));
  }
  // A hook of the main work tree gets GIT_INDEX_FILE without GIT_DIR
  // (e.g. the temporary index of 'git commit <paths>').
  use_index_from_env(raw);
  return repo;
}

Repository Repository::init(const std::filesystem::path& path,
                            const std::string& initial_branch)
{
  ensure_library();
  git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  opts.flags = GIT_REPOSITORY_INIT_MKPATH;
  opts.initial_head = initial_branch.c_str();
  git_repository* raw = nullptr;
  check(git_repository_init_ext(&raw, path.c_str(), &opts),
        "cannot create a git repository in '" + path.string() + "'");
  output::trace("git: init " + path.string());
  return Repository(raw);
}

std::filesystem::path Repository::workdir() const
{
  const char* w = git_repository_workdir(m_repo.get());
  if (!w) {
    throw fatal("the git repository has no work tree")
        .detail(std::string("repository: ") +
                git_repository_path(m_repo.get()));
  }
  std::string s = w;
  if (s.size() > 1 && s.back() == '/') {
    s.pop_back();
  }
  return s;
}

std::filesystem::path Repository::gitdir() const
{
  return git_repository_path(m_repo.get());
}

bool Repository::has_work_tree() const
{
  return git_repository_workdir(m_repo.get()) != nullptr;
}

std::optional<std::string> Repository::current_branch() const
{
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, m_repo.get(), "HEAD") < 0) {
    return std::nullopt;
  }
  RefPtr head(raw);
  if (git_reference_type(raw) != GIT_REFERENCE_SYMBOLIC) {
    return std::nullopt;
  }
  std::string target = git_reference_symbolic_target(raw);
  const std::string prefix = "refs/heads/";
  if (target.rfind(prefix, 0) == 0) {
    return target.substr(prefix.size());
  }
  return target;
}

std::optional<std::string> Repository::head_id() const
{
  git_oid oid;
  if (git_reference_name_to_id(&oid, m_repo.get(), "HEAD") < 0) {
    return std::nullopt;
  }
  return oid_str(&oid);
}

std::string Repository::short_id(const std::string& id)
{
  return id.substr(0, 7);
}

std::vector<StatusEntry> Repository::status() const
{
  git_status_options opts = GIT_STATUS_OPTIONS_INIT;
  opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
               GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
               GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
  git_status_list* raw = nullptr;
  check(git_status_list_new(&raw, m_repo.get(), &opts),
        "cannot read the status of the work tree");
  StatusListPtr list(raw);
  std::vector<StatusEntry> entries;
  size_t n = git_status_list_entrycount(raw);
  for (size_t i = 0; i < n; ++i) {
    const git_status_entry* e = git_status_byindex(raw, i);
    if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) {
      continue;
    }
    StatusEntry entry;
    const git_diff_delta* d =
        e->head_to_index ? e->head_to_index : e->index_to_workdir;
    entry.path =
        d && d->new_file.path ? d->new_file.path : (d ? d->old_file.path : "");
    entry.staged =
        (e->status & (GIT_STATUS_INDEX_NEW | GIT_STATUS_INDEX_MODIFIED |
                      GIT_STATUS_INDEX_DELETED | GIT_STATUS_INDEX_RENAMED |
                      GIT_STATUS_INDEX_TYPECHANGE)) != 0;
    entry.untracked = (e->status & GIT_STATUS_WT_NEW) != 0;
    entry.unstaged =
        (e->status & (GIT_STATUS_WT_MODIFIED | GIT_STATUS_WT_DELETED |
                      GIT_STATUS_WT_RENAMED | GIT_STATUS_WT_TYPECHANGE)) != 0;
    entries.push_back(std::move(entry));
  }
  return entries;
}

void Repository::add_all()
{
  git_index* raw = nullptr;
  check(git_repository_index(&raw, m_repo.get()), "cannot read the index");
  IndexPtr index(raw);
  const char* all = "*";
  git_strarray paths{const_cast<char**>(&all), 1};
  check(git_index_add_all(raw, &paths, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr),
        "cannot stage the files");
  check(git_index_update_all(raw, &paths, nullptr, nullptr),
        "cannot stage the files");
  check(git_index_write(raw), "cannot write the index");
}

std::string Repository::commit(const std::string& message)
{
  git_index* raw_index = nullptr;
  check(git_repository_index(&raw_index, m_repo.get()),
        "cannot read the index");
  IndexPtr index(raw_index);
  git_oid tree_id;
  check(git_index_write_tree(&tree_id, raw_index), "cannot write the tree");
  git_tree* raw_tree = nullptr;
  check(git_tree_lookup(&raw_tree, m_repo.get(), &tree_id),
        "cannot read the tree");
  TreePtr tree(raw_tree);

  SignaturePtr author = signature(m_repo.get(), Role::author);
  SignaturePtr committer = signature(m_repo.get(), Role::committer);

  CommitPtr parent;
  git_oid parent_id;
  if (git_reference_name_to_id(&parent_id, m_repo.get(), "HEAD") == 0) {
    git_commit* raw_parent = nullptr;
    check(git_commit_lookup(&raw_parent, m_repo.get(), &parent_id),
          "cannot read HEAD");
    parent.reset(raw_parent);
  }
  const git_commit* parents[] = {parent.get()};
  git_oid id;
  check(git_commit_create(&id, m_repo.get(), "HEAD", author.get(),
                          committer.get(), nullptr, message.c_str(), raw_tree,
                          parent ? 1 : 0, parent ? parents : nullptr),
        "cannot commit");
  std::string hex = oid_str(&id);
  output::trace("git: commit " + short_id(hex) + " " +
                message.substr(0, message.find('\n')));
  return hex;
}

void Repository::create_tag(const std::string& name, const std::string& target,
                            const std::string& message)
{
  git_oid oid;
  check(git_oid_fromstr(&oid, target.c_str()), "invalid object id " + target);
  git_object* raw = nullptr;
  check(git_object_lookup(&raw, m_repo.get(), &oid, GIT_OBJECT_COMMIT),
        "cannot find commit " + target);
  ObjectPtr obj(raw);
  SignaturePtr tagger = signature(m_repo.get(), Role::committer);
  git_oid tag_id;
  check(git_tag_create(&tag_id, m_repo.get(), name.c_str(), raw, tagger.get(),
                       message.c_str(), 0),
        "cannot create tag '" + name + "'");
  output::trace("git: tag " + name + " -> " + short_id(target));
}

std::vector<std::string> Repository::local_branches() const
{
  git_branch_iterator* raw = nullptr;
  check(git_branch_iterator_new(&raw, m_repo.get(), GIT_BRANCH_LOCAL),
        "cannot list branches");
  BranchIterPtr it(raw);
  std::vector<std::string> names;
  git_reference* ref = nullptr;
  git_branch_t type;
  while (git_branch_next(&ref, &type, raw) == 0) {
    RefPtr holder(ref);
    const char* name = nullptr;
    if (git_branch_name(&name, ref) == 0 && name) {
      names.emplace_back(name);
    }
  }
  return names;
}

std::vector<std::string> Repository::tags() const
{
  StrArray names;
  check(git_tag_list(&names.array, m_repo.get()), "cannot list tags");
  std::vector<std::string> out;
  for (size_t i = 0; i < names.array.count; ++i) {
    out.emplace_back(names.array.strings[i]);
  }
  return out;
}

std::optional<std::string> Repository::resolve(const std::string& refish) const
{
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, m_repo.get(), (refish + "^{commit}").c_str()) <
      0) {
    return std::nullopt;
  }
  ObjectPtr obj(raw);
  return oid_str(git_object_id(raw));
}

bool Repository::branch_exists(const std::string& name) const
{
  git_reference* raw = nullptr;
  int rc =
      git_branch_lookup(&raw, m_repo.get(), name.c_str(), GIT_BRANCH_LOCAL);
  if (rc == 0) {
    git_reference_free(raw);
    return true;
  }
  return false;
}

void Repository::create_branch(const std::string& name,
                               const std::string& target)
{
  git_oid oid;
  check(git_oid_fromstr(&oid, target.c_str()), "invalid object id " + target);
  git_commit* raw_commit = nullptr;
  check(git_commit_lookup(&raw_commit, m_repo.get(), &oid),
        "cannot find commit " + target);
  CommitPtr commit(raw_commit);
  git_reference* raw = nullptr;
  check(git_branch_create(&raw, m_repo.get(), name.c_str(), raw_commit, 0),
        "cannot create branch '" + name + "'");
  git_reference_free(raw);
  output::trace("git: branch " + name + " at " + short_id(target));
}

void Repository::set_branch(const std::string& name, const std::string& target,
                            const std::string& log_message)
{
  git_oid oid;
  check(git_oid_fromstr(&oid, target.c_str()), "invalid object id " + target);
  git_reference* raw = nullptr;
  check(git_reference_create(&raw, m_repo.get(), ("refs/heads/" + name).c_str(),
                             &oid, 1, log_message.c_str()),
        "cannot move branch '" + name + "'");
  git_reference_free(raw);
  output::trace("git: " + name + " -> " + short_id(target));
}

void Repository::checkout_branch(const std::string& name)
{
  std::string ref = "refs/heads/" + name;
  git_object* raw = nullptr;
  check(git_revparse_single(&raw, m_repo.get(), (ref + "^{tree}").c_str()),
        "cannot find branch '" + name + "'");
  ObjectPtr tree(raw);
  git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
  opts.checkout_strategy = GIT_CHECKOUT_SAFE;
  check(git_checkout_tree(m_repo.get(), raw, &opts),
        "cannot check out branch '" + name + "'");
  check(git_repository_set_head(m_repo.get(), ref.c_str()),
        "cannot check out branch '" + name + "'");
  output::trace("git: checkout " + name);
}

bool Repository::is_ancestor(const std::string& ancestor,
                             const std::string& descendant) const
{
  git_oid a;
  git_oid d;
  check(git_oid_fromstr(&a, ancestor.c_str()), "invalid object id " + ancestor);
  check(git_oid_fromstr(&d, descendant.c_str()),
        "invalid object id " + descendant);
  if (git_oid_equal(&a, &d)) {
    return true;
  }
  int rc = git_graph_descendant_of(m_repo.get(), &d, &a);
  check(rc, "cannot compare commits");
  return rc == 1;
}

namespace {

using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using TreeEntryPtr =
    std::unique_ptr<git_tree_entry,
                    Deleter<git_tree_entry, git_tree_entry_free>>;

std::string blob_text(git_repository* repo, const git_oid* id)
{
  git_blob* raw = nullptr;
  check(git_blob_lookup(&raw, repo, id), "cannot read a file from git");
  BlobPtr blob(raw);
  return std::string(static_cast<const char*>(git_blob_rawcontent(raw)),
                     static_cast<size_t>(git_blob_rawsize(raw)));
}

// A big blob's text: git writes it to a temporary file, which is mapped
// (Text::mapped), so that git-hop's memory holds only the part in use.
Text blob_mapped(git_repository* repo, const git_oid* id, size_t size)
{
  int fd = temp_file();
  util::CloseFd closer{fd};
  std::string oid = oid_str(id);
  cat_blob(git_repository_path(repo), oid, fd);
  Text text = Text::mapped(fd);
  if (text.size() != size) {
    throw fatal("cannot read blob " + oid + " from git")
        .detail("git wrote " + std::to_string(text.size()) + " bytes of " +
                std::to_string(size) + ".");
  }
  return text;
}

// The blob's text without a copy: the Text keeps the git_blob (whose
// buffer is what libgit2 inflated) alive; a big one is mapped instead.
Text blob_shared(git_repository* repo, const git_oid* id)
{
  git_odb* raw_odb = nullptr;
  check(git_repository_odb(&raw_odb, repo), "cannot read a file from git");
  std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>> odb(raw_odb);
  size_t size = 0;
  git_object_t type = GIT_OBJECT_INVALID;
  check(git_odb_read_header(&size, &type, raw_odb, id),
        "cannot read a file from git");
  if (type == GIT_OBJECT_BLOB && size > Text::k_map_above) {
    return blob_mapped(repo, id, size);
  }
  git_blob* raw = nullptr;
  check(git_blob_lookup(&raw, repo, id), "cannot read a file from git");
  std::shared_ptr<const git_blob> blob(raw, git_blob_free);
  std::string_view view(static_cast<const char*>(git_blob_rawcontent(raw)),
                        static_cast<size_t>(git_blob_rawsize(raw)));
  return {std::move(blob), view};
}

TreePtr tree_of(git_repository* repo, const std::string& refish)
{
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo, (refish + "^{tree}").c_str()) < 0) {
    return nullptr;
  }
  return TreePtr(reinterpret_cast<git_tree*>(raw));
}

} // namespace

std::optional<std::string> Repository::read_blob(const std::string& refish,
                                                 const std::string& path) const
{
  TreePtr tree = tree_of(m_repo.get(), refish);
  if (!tree) {
    return std::nullopt;
  }
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree.get(), path.c_str()) < 0) {
    return std::nullopt;
  }
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(raw) != GIT_OBJECT_BLOB) {
    return std::nullopt;
  }
  return blob_text(m_repo.get(), git_tree_entry_id(raw));
}

std::vector<std::pair<std::string, std::string>>
Repository::read_dir(const std::string& refish, const std::string& dir) const
{
  std::vector<std::pair<std::string, std::string>> files;
  TreePtr root = tree_of(m_repo.get(), refish);
  if (!root) {
    return files;
  }
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, root.get(), dir.c_str()) < 0) {
    return files;
  }
  TreeEntryPtr entry(raw);
  if (git_tree_entry_type(raw) != GIT_OBJECT_TREE) {
    return files;
  }
  git_tree* raw_tree = nullptr;
  check(git_tree_lookup(&raw_tree, m_repo.get(), git_tree_entry_id(raw)),
        "cannot read " + dir);
  TreePtr tree(raw_tree);
  size_t n = git_tree_entrycount(raw_tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(raw_tree, i);
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB) {
      files.emplace_back(git_tree_entry_name(e),
                         blob_text(m_repo.get(), git_tree_entry_id(e)));
    }
  }
  return files;
}

std::vector<std::pair<std::string, std::string>>
Repository::read_index_dir(const std::string& dir) const
{
  std::vector<std::pair<std::string, std::string>> files;
  git_index* raw = nullptr;
  check(git_repository_index(&raw, m_repo.get()), "cannot read the index");
  IndexPtr index(raw);
  std::string prefix = dir + "/";
  size_t n = git_index_entrycount(raw);
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(raw, i);
    std::string path = e->path;
    if (path.rfind(prefix, 0) != 0 ||
        path.find('/', prefix.size()) != std::string::npos ||
        git_index_entry_stage(e) != 0) {
      continue;
    }
    files.emplace_back(path.substr(prefix.size()),
                       blob_text(m_repo.get(), &e->id));
  }
  return files;
}

namespace {

EntryKind kind_of_mode(uint32_t mode)
{
  switch (mode & 0170000) {
  case 0040000:
    return EntryKind::directory;
  case 0120000:
    return EntryKind::symlink;
  case 0160000:
    return EntryKind::submodule;
  default:
    return (mode & 0111) ? EntryKind::executable : EntryKind::file;
  }
}

const char* kind_name(EntryKind kind)
{
  switch (kind) {
  case EntryKind::symlink:
    return "a symbolic link";
  case EntryKind::submodule:
    return "a submodule";
  case EntryKind::directory:
    return "a directory";
  case EntryKind::file:
  case EntryKind::executable:
    break;
  }
  return "a file";
}

// "commit 1234567" for a full id, else the ref as given.
std::string display_ref(const std::string& refish)
{
  bool hex = refish.size() == GIT_OID_HEXSZ &&
             refish.find_first_not_of("0123456789abcdef") == std::string::npos;
  return hex ? "commit " + refish.substr(0, 7) : "'" + refish + "'";
}

Error not_a_directory(const std::string& path, EntryKind kind,
                      const std::string& where)
{
  return fatal("'" + path + "' is " + kind_name(kind) + " in " + where +
               ", not a directory");
}

} // namespace

std::vector<DirEntry> Repository::read_dir_entries(const std::string& refish,
                                                   const std::string& dir) const
{
  std::vector<DirEntry> entries;
  TreePtr tree = tree_of(m_repo.get(), refish);
  if (!tree) {
    return entries;
  }
  // Walk down one component at a time: a link or a submodule on the way is
  // named, never taken for a missing directory.
  std::string walked;
  size_t start = 0;
  while (start <= dir.size()) {
    size_t end = dir.find('/', start);
    std::string name = dir.substr(
        start, end == std::string::npos ? std::string::npos : end - start);
    walked += (walked.empty() ? "" : "/") + name;
    const git_tree_entry* e = git_tree_entry_byname(tree.get(), name.c_str());
    if (!e) {
      return entries;
    }
    EntryKind kind = kind_of_mode(git_tree_entry_filemode(e));
    if (kind != EntryKind::directory) {
      throw not_a_directory(walked, kind, display_ref(refish));
    }
    git_tree* raw = nullptr;
    check(git_tree_lookup(&raw, m_repo.get(), git_tree_entry_id(e)),
          "cannot read " + walked);
    tree.reset(raw);
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  size_t n = git_tree_entrycount(tree.get());
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree.get(), i);
    DirEntry entry;
    entry.name = git_tree_entry_name(e);
    entry.kind = kind_of_mode(git_tree_entry_filemode(e));
    if (entry.kind == EntryKind::file || entry.kind == EntryKind::executable) {
      entry.content = blob_shared(m_repo.get(), git_tree_entry_id(e));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<DirEntry>
Repository::read_index_dir_entries(const std::string& dir) const
{
  std::vector<DirEntry> entries;
  git_index* raw = nullptr;
  check(git_repository_index(&raw, m_repo.get()), "cannot read the index");
  IndexPtr index(raw);
  std::string prefix = dir + "/";
  size_t n = git_index_entrycount(raw);
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(raw, i);
    if (git_index_entry_stage(e) != 0) {
      continue;
    }
    std::string path = e->path;
    // A staged link or submodule in place of the directory or one of its
    // parents.
    if (prefix.rfind(path + "/", 0) == 0) {
      throw not_a_directory(path, kind_of_mode(e->mode), "the index");
    }
    if (path.rfind(prefix, 0) != 0) {
      continue;
    }
    std::string rest = path.substr(prefix.size());
    size_t slash = rest.find('/');
    DirEntry entry;
    if (slash != std::string::npos) {
      entry.name = rest.substr(0, slash);
      entry.kind = EntryKind::directory;
      if (!entries.empty() && entries.back().name == entry.name &&
          entries.back().kind == EntryKind::directory) {
        continue; // the index is sorted: its other paths follow
      }
    } else {
      entry.name = rest;
      entry.kind = kind_of_mode(e->mode);
      if (entry.kind == EntryKind::file ||
          entry.kind == EntryKind::executable) {
        entry.content = blob_shared(m_repo.get(), &e->id);
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<std::pair<std::string, std::string>>
Repository::read_index_prefix(const std::string& prefix) const
{
  std::vector<std::pair<std::string, std::string>> files;
  git_index* raw = nullptr;
  check(git_repository_index(&raw, m_repo.get()), "cannot read the index");
  IndexPtr index(raw);
  size_t n = git_index_entrycount(raw);
  for (size_t i = 0; i < n; ++i) {
    const git_index_entry* e = git_index_get_byindex(raw, i);
    std::string path = e->path;
    if (path.rfind(prefix, 0) == 0 && git_index_entry_stage(e) == 0) {
      files.emplace_back(path, blob_text(m_repo.get(), &e->id));
    }
  }
  return files;
}

std::vector<std::string> Repository::staged_paths() const
{
  using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;
  TreePtr head = tree_of(m_repo.get(), "HEAD");
  git_index* raw_index = nullptr;
  check(git_repository_index(&raw_index, m_repo.get()),
        "cannot read the index");
  IndexPtr index(raw_index);
  git_diff* raw = nullptr;
  check(git_diff_tree_to_index(&raw, m_repo.get(), head.get(), raw_index,
                               nullptr),
        "cannot compare the index with HEAD");
  DiffPtr diff(raw);
  return detail::delta_paths(raw);
}

std::optional<std::string>
Repository::config_string(const std::string& key) const
{
  return git_config_get(m_repo.get(), key, nullptr);
}

std::optional<std::string> Repository::config_path(const std::string& key) const
{
  return git_config_get(m_repo.get(), key, "path");
}

std::filesystem::path Repository::commondir() const
{
  std::string dir = git_repository_commondir(m_repo.get());
  if (dir.size() > 1 && dir.back() == '/') {
    dir.pop_back();
  }
  return dir;
}

void Repository::add_note(const std::string& notes_ref,
                          const std::string& target, const std::string& text)
{
  git_oid oid;
  check(git_oid_fromstr(&oid, target.c_str()), "invalid object id " + target);
  SignaturePtr author = signature(m_repo.get(), Role::author);
  SignaturePtr committer = signature(m_repo.get(), Role::committer);
  git_oid note_id;
  check(git_note_create(&note_id, m_repo.get(), notes_ref.c_str(), author.get(),
                        committer.get(), &oid, text.c_str(), 0),
        "cannot write the note of " + short_id(target) + " in " + notes_ref);
  output::trace("git: note " + notes_ref + " on " + short_id(target));
}

std::optional<std::string>
Repository::read_note(const std::string& notes_ref,
                      const std::string& target) const
{
  git_oid oid;
  if (git_oid_fromstr(&oid, target.c_str()) < 0) {
    return std::nullopt;
  }
  git_note* raw = nullptr;
  if (git_note_read(&raw, m_repo.get(), notes_ref.c_str(), &oid) < 0) {
    return std::nullopt;
  }
  std::string text = git_note_message(raw);
  git_note_free(raw);
  return text;
}

std::optional<std::string> Repository::remote_url(const std::string& name) const
{
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, m_repo.get(), name.c_str()) < 0) {
    return std::nullopt;
  }
  const char* url = git_remote_url(raw);
  std::string s = url ? url : "";
  git_remote_free(raw);
  return s;
}

bool Repository::has_signature(std::string* error) const
{
  try {
    identities(m_repo.get());
    return true;
  } catch (const Error& e) {
    if (error) {
      *error = e.details().empty() ? e.what() : e.details().front();
    }
    return false;
  }
}

std::optional<std::string> quick_branch(const std::filesystem::path& root)
{
  namespace fs = std::filesystem;
  auto read_all = [](const fs::path& p) -> std::optional<std::string> {
    FILE* f = std::fopen(p.c_str(), "rb");
    if (!f) {
      return std::nullopt;
    }
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
      text.append(buf, n);
    }
    std::fclose(f);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    return text;
  };
  fs::path gitdir;
  const char* env = std::getenv("GIT_DIR");
  if (env && *env) {
    gitdir = env;
  } else {
    gitdir = root / ".git";
    std::error_code ec;
    if (fs::is_regular_file(gitdir, ec)) {
      auto link = read_all(gitdir);
      const std::string prefix = "gitdir: ";
      if (!link || link->rfind(prefix, 0) != 0) {
        return std::nullopt;
      }
      fs::path target = link->substr(prefix.size());
      gitdir = target.is_absolute() ? target : root / target;
    }
  }
  auto head = read_all(gitdir / "HEAD");
  const std::string ref = "ref: refs/heads/";
  if (!head || head->rfind(ref, 0) != 0) {
    return std::nullopt;
  }
  return head->substr(ref.size());
}

bool default_signature_available(std::string* error)
{
  ensure_library();
  try {
    identities(nullptr);
    return true;
  } catch (const Error& e) {
    if (error) {
      *error = e.details().empty() ? e.what() : e.details().front();
    }
    return false;
  }
}

// --- objects written from memory -----------------------------------------

void Repository::stage_written_files(
    const std::vector<std::pair<std::string, std::string>>& files)
{
  git_index* raw = nullptr;
  check(git_repository_index(&raw, m_repo.get()), "cannot read the index");
  IndexPtr index(raw);
  std::filesystem::path root = workdir();
  for (const auto& [path, content] : files) {
    struct stat st
    {
    };
    if (lstat((root / path).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      throw fatal("cannot stage '" + path + "'").detail(std::strerror(errno));
    }
    git_index_entry entry{};
    entry.ctime.seconds = static_cast<int32_t>(st.st_ctim.tv_sec);
    entry.ctime.nanoseconds = static_cast<uint32_t>(st.st_ctim.tv_nsec);
    entry.mtime.seconds = static_cast<int32_t>(st.st_mtim.tv_sec);
    entry.mtime.nanoseconds = static_cast<uint32_t>(st.st_mtim.tv_nsec);
    entry.dev = static_cast<uint32_t>(st.st_dev);
    entry.ino = static_cast<uint32_t>(st.st_ino);
    entry.mode = (st.st_mode & S_IXUSR) ? GIT_FILEMODE_BLOB_EXECUTABLE
                                        : GIT_FILEMODE_BLOB;
    entry.uid = st.st_uid;
    entry.gid = st.st_gid;
    entry.file_size = static_cast<uint32_t>(st.st_size);
    entry.path = path.c_str();
    check(
        git_index_add_from_buffer(raw, &entry, content.data(), content.size()),
        "cannot stage '" + path + "'");
  }
  check(git_index_write(raw), "cannot write the index");
  output::trace("git: staged " + std::to_string(files.size()) +
                " files from memory");
}

void Repository::write_objects_as_one_pack(const std::function<void()>& write)
{
  using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
  std::string objects = git_repository_commondir(m_repo.get());
  objects += "objects";
  // Writes go to an object database that holds nothing but the in-memory
  // store: with the disk backends in it too, libgit2 would look for every
  // new object on disk first (and rescan objects/pack each time).
  git_odb* raw_memory = nullptr;
  check(git_odb_new(&raw_memory), "cannot keep objects in memory");
  OdbPtr memory(raw_memory);
  git_odb_backend* mempack = nullptr;
  check(git_mempack_new(&mempack), "cannot keep objects in memory");
  if (git_odb_add_backend(raw_memory, mempack, 999) < 0) {
    mempack->free(mempack);
    check(-1, "cannot keep objects in memory");
  }
  git_odb* raw_disk = nullptr;
  check(git_odb_open(&raw_disk, objects.c_str()),
        "cannot open the object database '" + objects + "'");
  OdbPtr disk(raw_disk);
  check(git_repository_set_odb(m_repo.get(), raw_memory),
        "cannot keep objects in memory");
  // Whatever happens, the repository gets its object database on disk back.
  struct Restore
  {
    git_repository* repo;
    git_odb* disk;
    ~Restore() { git_repository_set_odb(repo, disk); }
  } restore{m_repo.get(), raw_disk};
  write();
  git_buf pack = GIT_BUF_INIT;
  check(git_mempack_dump(&pack, m_repo.get(), mempack),
        "cannot pack the new objects");
  struct BufFree
  {
    git_buf* buf;
    ~BufFree() { git_buf_dispose(buf); }
  } pack_free{&pack};
  git_odb_writepack* writer = nullptr;
  check(git_odb_write_pack(&writer, raw_disk, nullptr, nullptr),
        "cannot write a pack");
  struct WriterFree
  {
    git_odb_writepack* writer;
    ~WriterFree() { writer->free(writer); }
  } writer_free{writer};
  git_indexer_progress stats{};
  check(writer->append(writer, pack.ptr, pack.size, &stats),
        "cannot write a pack");
  check(writer->commit(writer, &stats), "cannot write a pack");
  output::trace("git: wrote " + std::to_string(stats.total_objects) +
                " objects as one pack");
}

} // namespace hop::git
