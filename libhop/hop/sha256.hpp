// SHA-256 of release scripts and baselines (recorded in notes and in
// half_orm_meta.hop_script), computed by OpenSSL's libcrypto (EVP), which
// libpq loads anyway.
#pragma once

#include <string>
#include <string_view>

namespace hop {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

} // namespace hop
