#include "patches.hpp"

#include "error.hpp"
#include "git/repository.hpp"
#include "sha256.hpp"
#include "util/file.hpp"

#include <toml++/toml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

namespace hop::patches {

namespace fs = std::filesystem;

namespace {

std::string at(const std::string& origin, const toml::source_region& src)
{
  return origin + ":" + std::to_string(src.begin.line) + ":" +
         std::to_string(src.begin.column);
}

// [scripts."<name>"] tables of release.toml: per-script options.
void read_script_options(const toml::node& node, const std::string& origin,
                         Release& r)
{
  const toml::table* scripts = node.as_table();
  if (!scripts) {
    throw fatal(at(origin, node.source()) +
                ": 'scripts' must be a table of tables, e.g. "
                "[scripts.\"20_index.sql\"]");
  }
  for (const auto& [name, options] : *scripts) {
    auto it = std::find_if(
        r.scripts.begin(), r.scripts.end(),
        [&name = name](const Script& s) { return s.name == name.str(); });
    if (it == r.scripts.end()) {
      throw fatal(at(origin, name.source()) + ": [scripts.\"" +
                  std::string(name.str()) +
                  "\"] names no script of the release");
    }
    const toml::table* t = options.as_table();
    if (!t) {
      throw fatal(at(origin, options.source()) + ": scripts.\"" +
                  std::string(name.str()) + "\" must be a table");
    }
    for (const auto& [key, value] : *t) {
      if (key.str() != "transaction") {
        r.warnings.push_back(at(origin, key.source()) + ": unknown key '" +
                             std::string(key.str()) + "'");
        continue;
      }
      if (!value.is_boolean()) {
        throw fatal(at(origin, value.source()) +
                    ": 'transaction' must be true or false");
      }
      if (it->kind != Kind::sql && !*value.value<bool>()) {
        throw fatal(at(origin, value.source()) + ": '" + it->name +
                    "' is a .py script: 'transaction' is for .sql scripts");
      }
      it->transaction = *value.value<bool>();
    }
  }
}

} // namespace

Release from_files(const Version& version, Files files)
{
  Release r;
  r.version = version;
  std::string dir = version.patch_dir();
  const Text* toml_text = nullptr;
  for (auto& file : files) {
    const std::string& name = file.first;
    Text& content = file.second;
    if (name == "release.toml") {
      toml_text = &content;
      continue;
    }
    Script s;
    // A script has a name before its extension (".sql" alone is not one).
    if (name.size() > 4 && name.ends_with(".sql")) {
      s.kind = Kind::sql;
    } else if (name.size() > 3 && name.ends_with(".py")) {
      s.kind = Kind::py;
    } else {
      continue;
    }
    s.name = name;
    s.path = dir + "/" + name;
    s.sha256 = sha256_hex_streamed(content); // gives mapped pages back
    s.content = std::move(content); // a script may be big: never copied
    r.scripts.push_back(std::move(s));
  }
  std::sort(r.scripts.begin(), r.scripts.end(),
            [](const Script& a, const Script& b) { return a.name < b.name; });
  std::string origin = dir + "/release.toml";
  if (!toml_text) {
    throw fatal("'" + origin + "' is missing")
        .detail("Each release folder holds a release.toml with its message.")
        .hint("Create it with: message = \"<what the release does>\"");
  }
  try {
    toml::table t = toml::parse(toml_text->view(), origin);
    for (const auto& [key, node] : t) {
      if (key.str() == "message") {
        if (!node.is_string()) {
          throw fatal(origin + ":" + std::to_string(node.source().begin.line) +
                      ":" + std::to_string(node.source().begin.column) +
                      ": 'message' must be a string");
        }
        r.message = *node.value<std::string>();
      } else if (key.str() == "scripts") {
        read_script_options(node, origin, r);
      } else {
        r.warnings.push_back(origin + ":" +
                             std::to_string(key.source().begin.line) + ":" +
                             std::to_string(key.source().begin.column) +
                             ": unknown key '" + std::string(key.str()) + "'");
      }
    }
  } catch (const toml::parse_error& e) {
    throw fatal(origin + ":" + std::to_string(e.source().begin.line) + ":" +
                std::to_string(e.source().begin.column) + ": " +
                std::string(e.description()));
  }
  return r;
}

namespace {

// Whether `name` is read from a release folder: its release.toml or a
// script (a name before the extension: ".sql" alone is not one).
bool is_read(const std::string& name)
{
  return name == "release.toml" ||
         (name.size() > 4 && name.ends_with(".sql")) ||
         (name.size() > 3 && name.ends_with(".py"));
}

// What an entry named like a script is when it is not a regular file.
Error not_a_file(const std::string& path, const std::string& what)
{
  return fatal("'" + path + "' is " + what + ", not a regular file")
      .detail("Scripts and release.toml are regular files, read as git "
              "tracks them: git-hop never follows a link nor skips such an "
              "entry.")
      .hint("Put a regular file there (copy the content), or give the entry "
            "a name that does not end in .sql or .py.");
}

const char* describe(fs::file_type type)
{
  switch (type) {
  case fs::file_type::symlink:
    return "a symbolic link";
  case fs::file_type::directory:
    return "a directory";
  case fs::file_type::fifo:
    return "a FIFO";
  case fs::file_type::socket:
    return "a socket";
  case fs::file_type::block:
  case fs::file_type::character:
    return "a device";
  default:
    return "not a file";
  }
}

// The content of the regular file `path`, never through a link, never
// waiting on a FIFO (it may have been swapped since it was listed).
Text read_regular(const fs::path& path, const std::string& rel)
{
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ELOOP) {
      throw not_a_file(rel, "a symbolic link");
    }
    throw fatal("cannot read '" + rel + "'").detail(std::strerror(errno));
  }
  util::CloseFd closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    throw fatal("cannot read '" + rel + "'").detail(std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    throw not_a_file(rel, S_ISDIR(st.st_mode)    ? "a directory"
                          : S_ISFIFO(st.st_mode) ? "a FIFO"
                                                 : "not a file");
  }
  // A big script is copied into a mapped temporary file: memory is then
  // used only for the part being read (Text::release_before).
  if (static_cast<size_t>(st.st_size) > Text::k_map_above) {
    return mapped_copy(fd, rel);
  }
  // Read straight into a string of the size fstat gives (no buffer grown
  // by doubling); a file that grew since is read on.
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t used = 0;
  char buf[4096];
  while (true) {
    bool in_place = used < text.size();
    ssize_t n = in_place ? ::read(fd, text.data() + used, text.size() - used)
                         : ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw fatal("cannot read '" + rel + "'").detail(std::strerror(errno));
    }
    if (n == 0) {
      text.resize(used);
      return text;
    }
    if (!in_place) {
      text.append(buf, static_cast<size_t>(n));
    }
    used += static_cast<size_t>(n);
  }
}

Files from_entries(std::vector<git::DirEntry> entries, const std::string& dir,
                   const std::string& where)
{
  Files files;
  for (auto& e : entries) {
    if (!is_read(e.name)) {
      continue;
    }
    std::string path = dir + "/" + e.name;
    switch (e.kind) {
    case git::EntryKind::file:
    case git::EntryKind::executable:
      files.emplace_back(e.name, std::move(e.content));
      break;
    case git::EntryKind::symlink:
      throw not_a_file(path, "a symbolic link in " + where);
    case git::EntryKind::submodule:
      throw not_a_file(path, "a submodule in " + where);
    case git::EntryKind::directory:
      throw not_a_file(path, "a directory in " + where);
    }
  }
  return files;
}

} // namespace

Release read_worktree(const fs::path& root, const Version& version)
{
  std::string rel_dir = version.patch_dir();
  // The folder and its parents are directories, not links to elsewhere.
  fs::path dir = root;
  std::string walked;
  for (const auto& part : fs::path(rel_dir)) {
    dir /= part;
    walked += (walked.empty() ? "" : "/") + part.string();
    std::error_code ec;
    auto st = fs::symlink_status(dir, ec);
    if (st.type() == fs::file_type::not_found) {
      throw fatal("'" + rel_dir + "' is missing")
          .hint("Run 'git hop prepare' to start a release.");
    }
    if (ec) {
      throw fatal("cannot read '" + walked + "'").detail(ec.message());
    }
    if (st.type() != fs::file_type::directory) {
      throw fatal("'" + walked + "' is " + describe(st.type()) +
                  ", not a directory")
          .detail("git-hop reads a release's scripts from their folder in the "
                  "work tree, never through a link.");
    }
  }
  Files files;
  std::vector<std::pair<std::string, fs::file_type>> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (is_read(name)) {
      names.emplace_back(name, entry.symlink_status().type());
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& [name, type] : names) {
    std::string rel = rel_dir + "/" + name;
    if (type != fs::file_type::regular) {
      throw not_a_file(rel, describe(type));
    }
    files.emplace_back(name, read_regular(dir / name, rel));
  }
  return from_files(version, std::move(files));
}

Release read_tree(const git::Repository& repo, const std::string& refish,
                  const Version& version)
{
  std::string dir = version.patch_dir();
  return from_files(
      version, from_entries(repo.read_dir_entries(refish, dir), dir,
                            "commit " + git::Repository::short_id(refish)));
}

Release read_index(const git::Repository& repo, const Version& version)
{
  std::string dir = version.patch_dir();
  return from_files(version, from_entries(repo.read_index_dir_entries(dir), dir,
                                          "the index"));
}

std::string render_release_toml(const std::string& message)
{
  std::ostringstream os;
  os << "# The release's changelog line; scripts (*.sql, *.py) run in name "
        "order.\n"
     << "message = " << toml::value<std::string>(message) << "\n";
  return os.str();
}

} // namespace hop::patches
