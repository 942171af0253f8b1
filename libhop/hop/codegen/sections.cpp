#include "sections.hpp"

#include <vector>

namespace hop::codegen {

namespace {

enum class Marker { none, begin, end };

Marker classify(std::string_view line)
{
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) {
    return Marker::none;
  }
  line = line.substr(b);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' ||
                           line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  if (line == k_begin_marker || line == k_begin_marker_old) {
    return Marker::begin;
  }
  if (line == k_end_marker) {
    return Marker::end;
  }
  return Marker::none;
}

} // namespace

std::optional<Sections> extract_sections(std::string_view text,
                                         std::string* why)
{
  struct Found
  {
    Marker marker;
    size_t line_start;
    size_t next_line;
    size_t lineno;
  };
  std::vector<Found> found;
  size_t pos = 0;
  size_t lineno = 0;
  while (pos < text.size()) {
    ++lineno;
    size_t end = text.find('\n', pos);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    Marker m = classify(text.substr(pos, next - pos));
    if (m != Marker::none) {
      found.push_back({m, pos, next, lineno});
    }
    pos = next;
  }
  const Marker expected[] = {Marker::begin, Marker::end, Marker::begin,
                             Marker::end, Marker::begin};
  bool ok = found.size() == 5;
  for (size_t i = 0; ok && i < 5; ++i) {
    ok = found[i].marker == expected[i];
  }
  if (!ok) {
    if (why) {
      std::string seq;
      for (const auto& f : found) {
        seq += (seq.empty() ? "" : ", ") +
               std::string(f.marker == Marker::begin ? "begin" : "end") +
               " (line " + std::to_string(f.lineno) + ")";
      }
      *why = "expected the marker lines begin, end, begin, end, begin; found " +
             (seq.empty() ? std::string("none") : seq);
    }
    return std::nullopt;
  }
  Sections s;
  s.module = std::string(text.substr(found[0].next_line,
                                     found[1].line_start - found[0].next_line));
  s.klass = std::string(text.substr(found[2].next_line,
                                    found[3].line_start - found[2].next_line));
  s.methods = std::string(text.substr(found[4].next_line));
  return s;
}

} // namespace hop::codegen
