#include "naming.hpp"

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <tuple>

namespace hop::codegen {

namespace {

using U32 = std::u32string;

struct Free
{
  void operator()(void* p) const { std::free(p); }
};

// The code points of UTF-8 `s`; an invalid sequence counts as U+FFFD.
U32 decode(std::string_view s)
{
  U32 out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  size_t n = s.size();
  while (n > 0) {
    ucs4_t cp = 0;
    int len = u8_mbtouc(&cp, p, n);
    out.push_back(static_cast<char32_t>(cp));
    p += len;
    n -= static_cast<size_t>(len);
  }
  return out;
}

std::string encode(std::u32string_view s)
{
  std::string out;
  out.reserve(s.size());
  uint8_t buf[6];
  for (char32_t cp : s) {
    int len = u8_uctomb(buf, cp, sizeof buf);
    if (len > 0) {
      out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
    }
  }
  return out;
}

const uint32_t* units(std::u32string_view s)
{
  return reinterpret_cast<const uint32_t*>(s.data());
}

// Call a libunistring u32 function that returns a fresh buffer and its
// length (NULL, errno set, on a failure that valid code points never meet).
template <typename F>
U32 call(F function)
{
  size_t length = 0;
  std::unique_ptr<uint32_t, Free> result(function(&length));
  if (!result) {
    return {};
  }
  return U32(reinterpret_cast<const char32_t*>(result.get()), length);
}

U32 lower(std::u32string_view s)
{
  return call([&](size_t* n) {
    return u32_tolower(units(s), s.size(), nullptr, nullptr, nullptr, n);
  });
}

U32 upper(std::u32string_view s)
{
  return call([&](size_t* n) {
    return u32_toupper(units(s), s.size(), nullptr, nullptr, nullptr, n);
  });
}

U32 nfkc(std::u32string_view s)
{
  return call([&](size_t* n) {
    return u32_normalize(UNINORM_NFKC, units(s), s.size(), nullptr, n);
  });
}

bool xid_start(char32_t cp)
{
  return cp == U'_' || uc_is_property_xid_start(cp);
}

bool xid_continue(char32_t cp)
{
  return uc_is_property_xid_continue(cp);
}

bool identifier(std::u32string_view s)
{
  if (s.empty() || !xid_start(s[0])) {
    return false;
  }
  return std::all_of(s.begin() + 1, s.end(), xid_continue);
}

} // namespace

bool is_python_keyword(std::string_view word)
{
  static const std::set<std::string_view> keywords = {
      "False",  "None",   "True",    "and",      "as",       "assert", "async",
      "await",  "break",  "class",   "continue", "def",      "del",    "elif",
      "else",   "except", "finally", "for",      "from",     "global", "if",
      "import", "in",     "is",      "lambda",   "nonlocal", "not",    "or",
      "pass",   "raise",  "return",  "try",      "while",    "with",   "yield",
  };
  return keywords.count(word) != 0;
}

bool valid_package_name(std::string_view name)
{
  if (name.empty() || name.size() > 63) {
    return false;
  }
  auto alpha = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!alpha(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9')) {
      return false;
    }
  }
  return !is_python_keyword(name);
}

std::string py_lower(std::string_view text)
{
  return encode(lower(decode(text)));
}

std::string py_upper(std::string_view text)
{
  return encode(upper(decode(text)));
}

std::string capitalize(std::string_view text)
{
  U32 s = decode(text);
  if (s.empty()) {
    return "";
  }
  // The first character title-cased, the others lower-cased in the
  // context of the whole string (a final sigma stays final).
  U32 out = call([&](size_t* n) {
    return u32_totitle(units(s), 1, nullptr, nullptr, nullptr, n);
  });
  casing_prefix_context_t before = u32_casing_prefix_context(units(s), 1);
  out += call([&](size_t* n) {
    return u32_ct_tolower(units(s) + 1, s.size() - 1, before,
                          unicase_empty_suffix_context, nullptr, nullptr,
                          nullptr, n);
  });
  return encode(out);
}

bool py_isalnum(char32_t cp)
{
  // str.isalnum(): isalpha() (a letter) or isnumeric() (a numeric value,
  // which every digit and decimal has).
  return uc_is_general_category(cp, UC_CATEGORY_L) ||
         uc_numeric_value(cp).denominator != 0;
}

bool py_isidentifier(std::string_view text)
{
  return identifier(decode(text));
}

bool is_identifier(std::string_view name)
{
  if (is_python_keyword(name)) {
    return false;
  }
  U32 s = decode(name);
  return identifier(s) && nfkc(s) == s && encode(s) == name;
}

std::string identifier_from(std::string_view text)
{
  if (is_identifier(text)) {
    return std::string(text);
  }
  U32 s = nfkc(decode(text));
  for (char32_t& cp : s) {
    if (!xid_continue(cp)) {
      cp = U'_';
    }
  }
  if (s.empty() || !xid_start(s[0])) {
    s.insert(s.begin(), U'_');
  }
  // Replacing characters may let NFKC compose others: normalise again
  // (NFKC keeps what can continue an identifier able to).
  std::string out = encode(nfkc(s));
  if (is_python_keyword(out)) {
    out += '_';
  }
  return out;
}

std::string camel_case(std::string_view name)
{
  U32 out;
  bool start = true;
  for (char32_t cp : lower(decode(name))) {
    if (!py_isalnum(cp)) {
      start = true;
    } else if (start) {
      out += upper(std::u32string_view(&cp, 1));
      start = false;
    } else {
      out += cp;
    }
  }
  return encode(out);
}

std::string dataclass_name(std::string_view schema, std::string_view relation)
{
  std::string name = "DC_";
  for (const auto& part : schema_parts(schema)) {
    name += capitalize(part);
  }
  size_t start = 0;
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

std::vector<std::string> schema_parts(std::string_view schema)
{
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t dot = schema.find('.', start);
    parts.emplace_back(schema.substr(start, dot - start));
    if (dot == std::string_view::npos) {
      return parts;
    }
    start = dot + 1;
  }
}

const std::set<std::string>& reserved_names(bool top)
{
  // At the top: the package's own modules, and what its __init__.py
  // defines (a sub-package would hide it).
  static const std::set<std::string> top_names = {
      "__init__",  "__pycache__", "ho_dataclasses", "sql_adapter",
      "base_test", "MODEL",       "reverse_fkey",
  };
  static const std::set<std::string> names = {"__init__", "__pycache__"};
  return top ? top_names : names;
}

void name_entries(std::vector<DirectoryEntry>& entries,
                  const std::set<std::string>& reserved)
{
  std::vector<DirectoryEntry*> order;
  for (auto& e : entries) {
    order.push_back(&e);
  }
  // Exact names first (sub-packages before modules), then the others, each
  // group in byte order of the raw names.
  auto rank = [](const DirectoryEntry* e) {
    return (is_identifier(e->raw) ? 0 : 2) + (e->package ? 0 : 1);
  };
  std::sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
    return std::make_tuple(rank(a), a->raw) < std::make_tuple(rank(b), b->raw);
  });
  std::set<std::string> taken = reserved;
  for (DirectoryEntry* e : order) {
    std::string base = identifier_from(e->raw);
    std::string name = base;
    for (int k = 2; taken.count(name); ++k) {
      name = base + "_" + std::to_string(k);
    }
    taken.insert(name);
    e->name = name;
  }
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
