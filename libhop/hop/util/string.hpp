// Small string functions that belong to no domain module.
#pragma once

#include <cstddef>
#include <string_view>

namespace hop::util {

// The Levenshtein distance between `a` and `b`: the fewest insertions,
// deletions and substitutions of one byte that turn `a` into `b`.
size_t edit_distance(std::string_view a, std::string_view b);

} // namespace hop::util
