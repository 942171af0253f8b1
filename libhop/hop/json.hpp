// A small JSON writer for --format=json output.
#pragma once

#include <string>
#include <string_view>

namespace hop::json {

// `text` as a quoted JSON string.
std::string quote(std::string_view text);

// Builds one JSON value incrementally, with two-space indentation.
class Writer {
public:
  Writer& begin_object();
  Writer& end_object();
  Writer& begin_array();
  Writer& end_array();
  Writer& key(std::string_view name);
  Writer& value(std::string_view text);
  Writer& value(const char* text) { return value(std::string_view(text)); }
  Writer& value(bool b);
  Writer& value(long long n);
  Writer& value(int n) { return value(static_cast<long long>(n)); }
  Writer& null();
  const std::string& str() const { return m_out; }

private:
  void before_value();
  void newline();
  std::string m_out;
  int m_depth = 0;
  bool m_first = true;
  bool m_after_key = false;
};

} // namespace hop::json
