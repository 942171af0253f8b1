#include "naming.hpp"

#include <hop/config.hpp>

#include <cstdint>
#include <cstdio>

namespace hop::codegen {

namespace {

// Decode one UTF-8 code point at `s[i]`; returns its length (1 for an
// invalid byte, whose value is returned as is).
size_t decode(std::string_view s, size_t i, uint32_t& cp)
{
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    cp = b;
    return 1;
  }
  size_t len = (b & 0xE0) == 0xC0   ? 2
               : (b & 0xF0) == 0xE0 ? 3
               : (b & 0xF8) == 0xF0 ? 4
                                    : 1;
  if (len == 1 || i + len > s.size()) {
    cp = b;
    return 1;
  }
  cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      cp = b;
      return 1;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return len;
}

void encode(uint32_t cp, std::string& out)
{
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Letters of the blocks we map: Latin-1 Supplement and Latin
// Extended-A/B, Greek, Cyrillic.
bool is_letter(uint32_t cp)
{
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
  if (cp >= 0xC0 && cp <= 0x24F) {
    return cp != 0xD7 && cp != 0xF7;
  }
  if (cp >= 0x386 && cp <= 0x3FF) {
    return cp != 0x387;
  }
  return cp >= 0x400 && cp <= 0x4FF;
}

bool is_digit(uint32_t cp)
{
  return cp >= '0' && cp <= '9';
}

uint32_t to_upper(uint32_t cp)
{
  if (cp >= 'a' && cp <= 'z') {
    return cp - 32;
  }
  if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7) {
    return cp - 0x20;
  }
  if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2) {
    return cp - 0x20;
  }
  if (cp >= 0x430 && cp <= 0x44F) {
    return cp - 0x20;
  }
  if (cp >= 0x450 && cp <= 0x45F) {
    return cp - 0x50;
  }
  return cp;
}

uint32_t to_lower(uint32_t cp)
{
  if (cp >= 'A' && cp <= 'Z') {
    return cp + 32;
  }
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) {
    return cp + 0x20;
  }
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) {
    return cp + 0x20;
  }
  if (cp >= 0x410 && cp <= 0x42F) {
    return cp + 0x20;
  }
  if (cp >= 0x400 && cp <= 0x40F) {
    return cp + 0x50;
  }
  return cp;
}

// Replace what cannot stand in an identifier by '_'.
std::string identifier_from(std::string_view text)
{
  std::string out;
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = decode(text, i, cp);
    if (is_letter(cp) || is_digit(cp) || cp == '_') {
      out.append(text.substr(i, len));
    } else {
      out += '_';
    }
    i += len;
  }
  if (out.empty() || is_digit(static_cast<unsigned char>(out[0]))) {
    out.insert(0, "_");
  }
  return out;
}

} // namespace

std::string camel_case(std::string_view name)
{
  std::string out;
  bool upper = true;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    i += decode(name, i, cp);
    cp = to_lower(cp);
    if (!is_letter(cp) && !is_digit(cp)) {
      upper = true;
      continue;
    }
    encode(upper ? to_upper(cp) : cp, out);
    upper = false;
  }
  return out;
}

std::string capitalize(std::string_view word)
{
  std::string out;
  bool first = true;
  for (size_t i = 0; i < word.size();) {
    uint32_t cp = 0;
    i += decode(word, i, cp);
    encode(first ? to_upper(cp) : to_lower(cp), out);
    first = false;
  }
  return out;
}

std::string dataclass_name(std::string_view schema, std::string_view relation)
{
  std::string name = "DC_";
  size_t start = 0;
  while (true) {
    size_t dot = schema.find('.', start);
    name += capitalize(schema.substr(start, dot - start));
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  start = 0;
  while (true) {
    size_t us = relation.find('_', start);
    name += capitalize(relation.substr(start, us - start));
    if (us == std::string_view::npos) {
      break;
    }
    start = us + 1;
  }
  return identifier_from(name);
}

bool is_identifier(std::string_view name)
{
  if (name.empty() || is_python_keyword(name)) {
    return false;
  }
  bool first = true;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp = 0;
    i += decode(name, i, cp);
    if (!(is_letter(cp) || cp == '_' || (!first && is_digit(cp)))) {
      return false;
    }
    first = false;
  }
  return true;
}

std::string path_element(std::string_view name)
{
  std::string out;
  for (char c : name) {
    out += (c == '/' || c == '\0') ? '_' : c;
  }
  if (out.empty() || out[0] == '.') {
    out.insert(0, "_");
  }
  if (is_python_keyword(out)) {
    out += '_';
  }
  return out;
}

std::vector<std::string> module_path(std::string_view schema,
                                     std::string_view relation)
{
  std::vector<std::string> path;
  size_t start = 0;
  while (true) {
    size_t dot = schema.find('.', start);
    path.push_back(path_element(schema.substr(start, dot - start)));
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  path.push_back(path_element(relation));
  return path;
}

std::string py_string(std::string_view text)
{
  std::string out = "'";
  for (unsigned char c : text) {
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\'':
      out += "\\'";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20 || c == 0x7F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out + "'";
}

std::string docstring_text(std::string_view text)
{
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"' && text.substr(i, 3) == "\"\"\"") {
      out += "\\\"\\\"\\\"";
      i += 2;
    } else if (c == '#' &&
               (text.substr(i, 4) == "#>>>" || text.substr(i, 4) == "#<<<")) {
      // Would read as a marker line of the user's sections.
      out += "\\x23";
    } else if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  // A docstring ending in '"' would merge with the closing quotes (unless
  // that '"' is already escaped, after an odd run of backslashes).
  size_t backslashes = 0;
  while (backslashes + 1 < out.size() &&
         out[out.size() - 2 - backslashes] == '\\') {
    ++backslashes;
  }
  if (!out.empty() && out.back() == '"' && backslashes % 2 == 0) {
    out.insert(out.size() - 1, "\\");
  }
  return out;
}

} // namespace hop::codegen
