// .hop/config: the project's TOML configuration, parsed once into a plain
// struct with defaults. Unknown keys are warnings; a value of the wrong type
// is a fatal error located as "file:line:col".
#pragma once

#include "version.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hop {

struct Config
{
  struct Project
  {
    std::string name;
    std::optional<Version> hop_version;
    bool devel = false;
  } project;
  struct Python
  {
    bool package = true;
    std::optional<std::string> interpreter;
  } python;
  struct Test
  {
    std::optional<std::vector<std::string>> command;
  } test;
  struct Hooks
  {
    bool pre_commit = true;
    bool pre_push = true;
  } hooks;
  // The deploy engine (design §6.1).
  struct Deploy
  {
    long long lock_timeout_ms = 5000;    // SET lock_timeout for scripts
    int lock_retries = 10;               // of a transaction that hit it
    long long lock_wait_ms = 60000;      // for git-hop's own lock
    long long warn_rows = 100000;        // release warns above
    long long max_locked_rows = 1000000; // upgrade refuses above
  } deploy;

  // Warnings met while parsing (unknown keys), "file:line:col: ..." each.
  std::vector<std::string> warnings;
};

// Parse `text`; `origin` names the file in messages.
Config parse_config(std::string_view text, const std::string& origin);
// Read and parse `file` (messages name it as `display_name`).
Config load_config(const std::filesystem::path& file,
                   const std::string& display_name);
// The TOML text of `config`, deterministic, with comments.
std::string render_config(const Config& config);
// Refuse to run when the file was written by a newer git-hop.
void check_hop_version(const Config& config, const Version& running,
                       const std::string& origin);

} // namespace hop
