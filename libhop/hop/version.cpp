#include "version.hpp"

#include "error.hpp"

#include <charconv>
#include <limits>

namespace hop {

namespace {

std::optional<int> parse_component(std::string_view s)
{
  if (s.empty() || s.size() > 9) {
    return std::nullopt;
  }
  if (s.size() > 1 && s[0] == '0') {
    return std::nullopt;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

} // namespace

std::string Version::str() const
{
  return std::to_string(major) + "." + std::to_string(minor) + "." +
         std::to_string(patch);
}

std::string Version::patch_dir() const
{
  return "Patches/" + std::to_string(major) + "/" + std::to_string(minor) +
         "/" + std::to_string(patch);
}

Version Version::next(Level level) const
{
  switch (level) {
  case Level::patch:
    return {major, minor, patch + 1};
  case Level::minor:
    return {major, minor + 1, 0};
  case Level::major:
    return {major + 1, 0, 0};
  }
  HOP_BUG("unknown level");
}

std::optional<Version> Version::parse(std::string_view text)
{
  size_t d1 = text.find('.');
  if (d1 == std::string_view::npos) {
    return std::nullopt;
  }
  size_t d2 = text.find('.', d1 + 1);
  if (d2 == std::string_view::npos) {
    return std::nullopt;
  }
  auto a = parse_component(text.substr(0, d1));
  auto b = parse_component(text.substr(d1 + 1, d2 - d1 - 1));
  auto c = parse_component(text.substr(d2 + 1));
  if (!a || !b || !c) {
    return std::nullopt;
  }
  return Version{*a, *b, *c};
}

Version Version::parse_or_throw(std::string_view text, std::string_view what)
{
  auto v = parse(text);
  if (!v) {
    throw fatal("invalid " + std::string(what) + " '" + std::string(text) + "'")
        .detail("A version is X.Y.Z: three numbers without leading zeros, "
                "such as 1.4.0.");
  }
  return *v;
}

std::optional<Version> Version::from_branch(std::string_view branch)
{
  constexpr std::string_view prefix = "hop_";
  if (branch.substr(0, prefix.size()) != prefix) {
    return std::nullopt;
  }
  return parse(branch.substr(prefix.size()));
}

std::optional<Level> parse_level(std::string_view text)
{
  if (text == "patch") {
    return Level::patch;
  }
  if (text == "minor") {
    return Level::minor;
  }
  if (text == "major") {
    return Level::major;
  }
  return std::nullopt;
}

std::string_view level_name(Level level)
{
  switch (level) {
  case Level::patch:
    return "patch";
  case Level::minor:
    return "minor";
  case Level::major:
    return "major";
  }
  HOP_BUG("unknown level");
}

} // namespace hop
