// Installed data: templates written into new projects and the SQL of the
// half_orm_meta schema. Found in $GIT_HOP_DATADIR, else next to the
// executable (<bindir>/../share/git-hop, so a staged or relocated install
// works), else the configured datadir.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace hop {

std::filesystem::path datadir();

// The text of <relative> under datadir() ("hooks/pre-commit"); fatal error
// naming the path and GIT_HOP_DATADIR when missing.
std::string read_data(const std::string& relative);
// read_data("templates/" + relative), read once per process.
std::string read_template(const std::string& relative);

// `text` without the spaces, tabs and CRs around it.
std::string trim(std::string_view text);

// Replace every @KEY@ of `vars` in `text`, in one pass (values are not
// scanned again).
std::string substitute(std::string_view text,
                       const std::map<std::string, std::string>& vars);

// The TOML template `text` with every @KEY@ of `vars` replaced in its keys
// and strings, written by toml++: whatever the values hold, the result is
// valid TOML (keys sorted, strings quoted by toml++). `origin` names the
// template in the fatal error of a template that is not TOML.
std::string substitute_toml(std::string_view text,
                            const std::map<std::string, std::string>& vars,
                            const std::string& origin);

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

} // namespace hop
