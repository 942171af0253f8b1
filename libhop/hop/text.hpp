// A file's text that may be big (a release's script): held once, never
// copied. Either a std::string it owns or a view of a buffer that an owner
// keeps alive (a libgit2 blob: its inflated content is the text). Copies of
// a Text share the one buffer.
#pragma once

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
  std::shared_ptr<const void> m_owner;
  std::string_view m_view;
};

} // namespace hop
