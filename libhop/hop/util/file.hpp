// Whole-file reads and writes that belong to no domain module; errors are
// fatal hop::Errors naming the file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hop::util {

// Closes a file descriptor at the end of its scope.
struct CloseFd
{
  explicit CloseFd(int descriptor) : fd(descriptor) {}
  int fd;
  CloseFd(const CloseFd&) = delete;
  CloseFd& operator=(const CloseFd&) = delete;
  ~CloseFd();
};

// Read a whole file; throws a fatal error naming it.
std::string read_file(const std::filesystem::path& path);
// Write a whole file (created or truncated); throws a fatal error.
void write_file(const std::filesystem::path& path, std::string_view content);
// Replace `path` atomically: write "<path>.hop-tmp-<owner tag>" (removed
// if git-hop is stopped by a signal; the next write in that directory
// removes one a SIGKILLed git-hop left), give it `mode`, rename it over
// `path`. Traced as "write: <path>" between the two.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view content,
                       std::optional<std::filesystem::perms> mode = {});

} // namespace hop::util
