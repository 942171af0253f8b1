// SHA-256 of release scripts and baselines (recorded in notes and in
// half_orm_meta.hop_script), computed by OpenSSL's libcrypto (EVP), which
// libpq loads anyway.
#pragma once

#include "text.hpp"

#include <string>
#include <string_view>

namespace hop {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);
// The same of a text that may be big, read a MiB at a time, each MiB
// released (Text::release_before) once hashed.
std::string sha256_hex_streamed(const Text& text);

} // namespace hop
