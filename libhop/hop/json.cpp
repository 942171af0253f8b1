#include "json.hpp"

#include <unistr.h>

#include <cstdio>
#include <ostream>

namespace hop::json {

namespace {

void append_ascii(std::string& q, unsigned char c)
{
  switch (c) {
  case '"':
    q += "\\\"";
    break;
  case '\\':
    q += "\\\\";
    break;
  case '\n':
    q += "\\n";
    break;
  case '\r':
    q += "\\r";
    break;
  case '\t':
    q += "\\t";
    break;
  default:
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      q += buf;
    } else {
      q += static_cast<char>(c);
    }
  }
}

// Append `text` escaped, without the quotes; `spill(i)` is called
// between characters (at byte i) whenever `q` holds more than 64 KiB.
template <class Spill>
void escape(std::string& q, std::string_view text, Spill spill)
{
  static constexpr std::string_view k_replacement = "\xef\xbf\xbd";
  constexpr size_t k_spill = size_t{64} << 10;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  while (i < text.size()) {
    if (q.size() >= k_spill) {
      spill(i);
    }
    if (bytes[i] < 0x80) {
      append_ascii(q, bytes[i]);
      ++i;
      continue;
    }
    // One character, or an ill-formed sequence that libunistring decodes
    // as U+FFFD (a real U+FFFD in the input is kept as it is).
    ucs4_t uc = 0;
    auto n = static_cast<size_t>(u8_mbtouc(&uc, bytes + i, text.size() - i));
    if (uc == 0xfffd && text.substr(i, n) != k_replacement) {
      q += "\\ufffd";
    } else {
      q.append(text.substr(i, n));
    }
    i += n;
  }
}

} // namespace

std::string quote(std::string_view text)
{
  std::string q = "\"";
  q.reserve(text.size() + 2);
  escape(q, text, [](size_t) {});
  return q + "\"";
}

Writer::Writer(std::ostream& sink) : m_sink(&sink) {}

void Writer::spill()
{
  if (m_sink != nullptr && !m_out.empty()) {
    m_sink->write(m_out.data(), static_cast<std::streamsize>(m_out.size()));
    m_out.clear();
  }
}

void Writer::flush()
{
  spill();
  if (m_sink != nullptr) {
    m_sink->flush();
  }
}

Writer& Writer::value_streamed(const Text& text)
{
  before_value();
  m_out += '"';
  if (m_sink == nullptr) {
    escape(m_out, text.view(), [](size_t) {});
  } else {
    escape(m_out, text.view(), [&](size_t at) {
      spill();
      text.release_before(at);
    });
  }
  m_out += '"';
  return *this;
}

void Writer::newline()
{
  m_out += '\n';
  m_out.append(static_cast<size_t>(m_depth) * 2, ' ');
}

void Writer::before_value()
{
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_depth > 0) {
    if (!m_first) {
      m_out += ',';
    }
    newline();
  }
  m_first = false;
}

Writer& Writer::begin_object()
{
  before_value();
  m_out += '{';
  ++m_depth;
  m_first = true;
  return *this;
}

Writer& Writer::end_object()
{
  --m_depth;
  if (!m_first) {
    newline();
  }
  m_out += '}';
  m_first = false;
  return *this;
}

Writer& Writer::begin_array()
{
  before_value();
  m_out += '[';
  ++m_depth;
  m_first = true;
  return *this;
}

Writer& Writer::end_array()
{
  --m_depth;
  if (!m_first) {
    newline();
  }
  m_out += ']';
  m_first = false;
  return *this;
}

Writer& Writer::key(std::string_view name)
{
  before_value();
  m_out += quote(name);
  m_out += ": ";
  m_after_key = true;
  return *this;
}

Writer& Writer::value(std::string_view text)
{
  before_value();
  m_out += quote(text);
  return *this;
}

Writer& Writer::value(bool b)
{
  before_value();
  m_out += b ? "true" : "false";
  return *this;
}

Writer& Writer::value(long long n)
{
  before_value();
  m_out += std::to_string(n);
  return *this;
}

Writer& Writer::null()
{
  before_value();
  m_out += "null";
  return *this;
}

} // namespace hop::json
