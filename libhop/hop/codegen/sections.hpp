// The user's sections of a generated module: the code between the marker
// lines, kept byte for byte when the module is generated again.
//
//   #>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!
//   ... module section ...
//   #<<< PLACE YOUR CODE ABOVE THIS LINE. DO NOT REMOVE THIS LINE!
//   class X(...):
//       #>>> ... class section ...
//       #<<< ...
//       def __init__(...):
//           #>>> ... methods: everything to the end of the file
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hop::codegen {

inline constexpr std::string_view k_begin_marker =
    "#>>> PLACE YOUR CODE BELOW THIS LINE. DO NOT REMOVE THIS LINE!";
// The spelling of older half_orm releases, accepted when reading.
inline constexpr std::string_view k_begin_marker_old =
    "#>>> PLACE YOUR CODE BELLOW THIS LINE. DO NOT REMOVE THIS LINE!";
inline constexpr std::string_view k_end_marker =
    "#<<< PLACE YOUR CODE ABOVE THIS LINE. DO NOT REMOVE THIS LINE!";

struct Sections
{
  std::string module;  // text between the first pair of markers
  std::string klass;   // text between the second pair
  std::string methods; // text after the third begin marker
};

// Extract the sections of `text`. nullopt when the marker lines are not
// exactly begin, end, begin, end, begin in that order; `why` says what
// was found.
std::optional<Sections> extract_sections(std::string_view text,
                                         std::string* why);

} // namespace hop::codegen
