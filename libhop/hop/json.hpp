// A small JSON writer for --format=json output.
//
// JSON text is UTF-8 (RFC 8259), but what it carries need not be: a path is
// any bytes. Each ill-formed UTF-8 sequence of a string (a stray byte, a
// character cut short, an overlong form, an encoded surrogate; libunistring's
// u8_mbtouc delimits them) is written as the escape \ufffd (U+FFFD, the
// replacement character), as jq and Python's errors="replace" do, so that
// every JSON parser accepts the output. Such a string is lossy: the text
// format shows the bytes as they are.
#pragma once

#include "text.hpp"

#include <iosfwd>
#include <string>
#include <string_view>

namespace hop::json {

// `text` as a quoted JSON string: `"`, `\\` and control characters
// escaped, invalid UTF-8 replaced by \ufffd.
std::string quote(std::string_view text);

// Builds one JSON value incrementally, with two-space indentation: in
// str(), or written to a stream as it goes (a plan that holds a big
// script's text is never held whole).
class Writer {
public:
  Writer() = default;
  // Write to `sink` as the value is built, 64 KiB at a time; flush()
  // writes the rest.
  explicit Writer(std::ostream& sink);

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
  // value(text.view()), the text given back (Text::release_before) as it
  // is written, when writing to a sink.
  Writer& value_streamed(const Text& text);
  // Without a sink: the whole value; with one: what flush() has not
  // written yet.
  const std::string& str() const { return m_out; }
  void flush();

private:
  void before_value();
  void spill();
  std::ostream* m_sink = nullptr;
  void newline();
  std::string m_out;
  int m_depth = 0;
  bool m_first = true;
  bool m_after_key = false;
};

} // namespace hop::json
