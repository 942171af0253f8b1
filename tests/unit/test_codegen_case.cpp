// git-hop's Python name rules against Python's own results: the table is
// generated at build time by gen_case_table.py with Debian's python3.
#include <hop/codegen/naming.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace {

struct CaseRow
{
  char32_t cp;
  const char* lower;
  const char* upper;
  const char* capitalize;
};

struct CodeRange
{
  char32_t first;
  char32_t last;
};

struct StringRow
{
  const char* text;
  const char* lower;
  const char* upper;
  const char* capitalize;
  const char* camel_case;
  bool isidentifier;
  bool nfkc_stable;
};

#include "case_table.inc"

std::string utf8(char32_t cp)
{
  std::string out;
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
  return out;
}

bool surrogate(char32_t cp)
{
  return cp >= 0xD800 && cp <= 0xDFFF;
}

// Every code point (no surrogate) is inside one of `ranges` exactly when
// `predicate` holds for it; counts the mismatches, reporting the first few.
template <size_t N, typename Predicate>
int mismatches(const CodeRange (&ranges)[N], Predicate predicate)
{
  int bad = 0;
  size_t next = 0;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    while (next < N && ranges[next].last < cp) {
      ++next;
    }
    if (surrogate(cp)) {
      continue;
    }
    bool inside = next < N && ranges[next].first <= cp;
    if (inside != predicate(cp)) {
      if (++bad <= 5) {
        UNSCOPED_INFO(
            "U+" << std::hex << static_cast<unsigned>(cp)
                 << (inside ? ": Python says yes" : ": Python says no"));
      }
    }
  }
  return bad;
}

} // namespace

using namespace hop::codegen;

TEST_CASE("hop::codegen case mappings match Python's, code point by code point",
          "[codegen][case]")
{
  INFO("Python's Unicode version: " << k_python_unicode);
  size_t next = 0;
  int bad = 0;
  for (char32_t cp = 0; cp < 0x110000; ++cp) {
    if (surrogate(cp)) {
      continue;
    }
    std::string c = utf8(cp);
    std::string lower = c, upper = c, cap = c;
    if (next < std::size(k_case_rows) && k_case_rows[next].cp == cp) {
      lower = k_case_rows[next].lower;
      upper = k_case_rows[next].upper;
      cap = k_case_rows[next].capitalize;
      ++next;
    }
    if (py_lower(c) != lower || py_upper(c) != upper || capitalize(c) != cap) {
      if (++bad <= 5) {
        UNSCOPED_INFO("U+" << std::hex << static_cast<unsigned>(cp) << ": "
                           << py_lower(c) << " " << py_upper(c) << " "
                           << capitalize(c) << ", Python: " << lower << " "
                           << upper << " " << cap);
      }
    }
  }
  CHECK(next == std::size(k_case_rows));
  CHECK(bad == 0);
}

TEST_CASE("hop::codegen::py_isalnum matches str.isalnum()", "[codegen][case]")
{
  INFO("Python's Unicode version: " << k_python_unicode);
  CHECK(mismatches(k_alnum_ranges, py_isalnum) == 0);
}

TEST_CASE("hop::codegen::py_isidentifier matches str.isidentifier()",
          "[codegen][case]")
{
  INFO("Python's Unicode version: " << k_python_unicode);
  CHECK(mismatches(k_identifier_start_ranges,
                   [](char32_t cp) { return py_isidentifier(utf8(cp)); }) == 0);
  CHECK(mismatches(k_identifier_continue_ranges, [](char32_t cp) {
          return py_isidentifier("a" + utf8(cp));
        }) == 0);
}

TEST_CASE("hop::codegen names of whole strings match Python's",
          "[codegen][case]")
{
  for (const auto& row : k_string_rows) {
    INFO(row.text);
    CHECK(py_lower(row.text) == row.lower);
    CHECK(py_upper(row.text) == row.upper);
    CHECK(capitalize(row.text) == row.capitalize);
    CHECK(camel_case(row.text) == row.camel_case);
    CHECK(py_isidentifier(row.text) == row.isidentifier);
    // git-hop's identifiers are Python's, minus keywords and the names
    // NFKC would change.
    CHECK(is_identifier(row.text) == (row.isidentifier && row.nfkc_stable &&
                                      !is_python_keyword(row.text)));
    CHECK(is_identifier(identifier_from(row.text)));
  }
}
