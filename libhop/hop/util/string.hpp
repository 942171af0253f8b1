// Small string functions that belong to no domain module.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hop::util {

// The Levenshtein distance between `a` and `b`: the fewest insertions,
// deletions and substitutions of one byte that turn `a` into `b`.
size_t edit_distance(std::string_view a, std::string_view b);

// `text` without the spaces, tabs and CRs around it.
std::string trim(std::string_view text);

} // namespace hop::util
