// Release metadata in refs/notes/hop (design §5): one TOML note on each
// release commit. This module is the one place that writes it and the one
// place that reads it.
//
//   version = "0.1.0"
//   previous = "0.0.0"
//   message = "Add the post table"
//   git_hop_version = "0.2.0"
//   released_at = 2026-11-27T03:12:32Z
//   schema_sha256 = "..."
//   metadata_sha256 = "..."
//   [[scripts]]
//   path = "Patches/0/1/0/00_post.sql"
//   sha256 = "..."
//   [tests]
//   command = ["python3", "-m", "pytest"]
//   passed = 3
//   failed = 0
//   skipped = 0
//   duration_s = 0.520
#pragma once

#include "version.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hop::notes {

// The notes ref git-hop writes, and its name for messages.
inline constexpr const char* k_ref = "refs/notes/hop";

struct Tests
{
  std::vector<std::string> command;
  std::optional<int> passed;
  std::optional<int> failed;
  std::optional<int> skipped;
  double seconds = 0;
};

struct Script
{
  std::string path;
  std::string sha256;
};

struct Note
{
  Version version;
  std::optional<Version> previous;
  std::string message;
  std::string git_hop_version;
  std::string released_at; // UTC, RFC 3339
  std::string schema_sha256;
  std::string metadata_sha256;
  std::vector<Script> scripts;
  std::optional<Tests> tests; // none for the release 'git hop new' records
};

std::string render(const Note& note);

// Parse the text of a note; throws hop::Error naming `what` (e.g. "the note
// of 0.1.0") when it is not valid TOML or lacks a field.
Note parse(std::string_view text, const std::string& what);

// The current UTC time, RFC 3339 ("2026-11-27T03:12:32Z").
std::string utc_now();

} // namespace hop::notes
