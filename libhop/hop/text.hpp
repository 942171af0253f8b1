// A file's text that may be big (a release's script): held once, never
// copied. Either a std::string it owns, a view of a buffer that an owner
// keeps alive (a libgit2 blob: its inflated content is the text), or a
// private temporary file mapped into memory (a big script: see mapped()).
// Copies of a Text share the one buffer.
//
// A mapped text costs memory only for the pages in use: a reader that goes
// through it in order calls release_before() as it goes, and the pages
// behind it are given back (read again from the file if someone goes
// back). So git-hop's peak memory does not grow with a script's text.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace hop {

class Text {
public:
  Text() = default;
  // NOLINTNEXTLINE(google-explicit-constructor): a string is a text
  Text(std::string text)
  {
    auto owned = std::make_shared<const std::string>(std::move(text));
    m_view = *owned;
    m_owner = std::move(owned);
  }
  // NOLINTNEXTLINE(google-explicit-constructor): a string is a text
  Text(const char* text) : Text(std::string(text)) {}
  // `view` stays valid as long as `owner` lives.
  Text(std::shared_ptr<const void> owner, std::string_view view)
      : m_owner(std::move(owner)), m_view(view)
  {
  }

  // A text of more than this many bytes is read into a mapped temporary
  // file rather than into memory (patches, git).
  static constexpr size_t k_map_above = size_t{4} << 20;

  // The whole content of the regular file `fd` (a private temporary file
  // nobody else writes: see temp_file()), mapped read-only. The mapping
  // keeps its own reference to the file: `fd` may be closed after. Throws
  // hop::Error (fatal) when the system refuses.
  static Text mapped(int fd);

  // The bytes before `offset` will not be read again soon. A mapped text
  // gives back the memory of their pages (in steps of at least a MiB, so
  // calling it for every statement costs a comparison); other texts
  // ignore it. Reading them again stays valid.
  void release_before(size_t offset) const;

  std::string_view view() const { return m_view; }
  // NOLINTNEXTLINE(google-explicit-constructor): reads as a string_view
  operator std::string_view() const { return m_view; }
  const char* data() const { return m_view.data(); }
  size_t size() const { return m_view.size(); }
  bool empty() const { return m_view.empty(); }
  std::string str() const { return std::string(m_view); }

  bool operator==(const Text& other) const { return m_view == other.m_view; }
  bool operator==(std::string_view other) const { return m_view == other; }

private:
  struct Mapping;
  std::shared_ptr<const void> m_owner;
  std::string_view m_view;
  Mapping* m_mapping = nullptr; // owned by m_owner, when mapped
};

// A new temporary file, already unlinked (nothing is left behind, even by a
// SIGKILL), open for reading and writing, in $TMPDIR (else /tmp). Throws
// hop::Error (fatal).
int temp_file();

// Copy the regular file `fd`, from its start to its end, into a temporary
// file and map it (Text::mapped): a snapshot, which later writes to `fd`'s
// file do not change. `what` names the file in errors.
Text mapped_copy(int fd, const std::string& what);

} // namespace hop
