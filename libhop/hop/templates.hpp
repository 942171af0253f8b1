// Installed data: templates written into new projects and the SQL of the
// half_orm_meta schema. Found in $GIT_HOP_DATADIR, else next to the
// executable (<bindir>/../share/git-hop, so a staged or relocated install
// works), else the configured datadir. @KEY@ substitution, in text and in
// TOML.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace hop {

std::filesystem::path datadir();

// The text of <relative> under datadir() ("hooks/pre-commit"); fatal error
// naming the path and GIT_HOP_DATADIR when missing.
std::string read_data(const std::string& relative);
// read_data("templates/" + relative), read once per process.
std::string read_template(const std::string& relative);

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

} // namespace hop
