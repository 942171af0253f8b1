// Release versions: X.Y.Z, three non-negative integers without leading
// zeros. Ordered numerically.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace hop {

enum class Level { patch, minor, major };

struct Version
{
  int major = 0;
  int minor = 0;
  int patch = 0;

  auto operator<=>(const Version&) const = default;

  // "1.2.3".
  std::string str() const;
  // The next release at `level`: 1.2.3 -> 1.2.4 / 1.3.0 / 2.0.0.
  Version next(Level level) const;
  // "hop_1.2.3".
  std::string branch() const { return "hop_" + str(); }
  // "Patches/1/2/3".
  std::string patch_dir() const;

  // Parse "X.Y.Z"; nullopt for anything else.
  static std::optional<Version> parse(std::string_view text);
  // Parse or throw a fatal hop::Error naming `what`.
  static Version parse_or_throw(std::string_view text, std::string_view what);
  // The version of a release branch "hop_X.Y.Z", if it is one.
  static std::optional<Version> from_branch(std::string_view branch);
};

std::optional<Level> parse_level(std::string_view text);
std::string_view level_name(Level level);

} // namespace hop
