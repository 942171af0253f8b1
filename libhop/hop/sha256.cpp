#include "sha256.hpp"

#include "error.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <memory>

namespace hop {

namespace {

std::string hex_of(const unsigned char* digest, unsigned int size)
{
  static constexpr std::string_view k_hex = "0123456789abcdef";
  std::string hex;
  hex.reserve(size_t{2} * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += k_hex[digest[i] >> 4];
    hex += k_hex[digest[i] & 0xf];
  }
  return hex;
}

} // namespace

std::string sha256_hex(std::string_view data)
{
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(),
                 nullptr) != 1) {
    HOP_BUG("EVP_Digest(sha256) failed");
  }
  return hex_of(digest.data(), size);
}

std::string sha256_hex_streamed(const Text& text)
{
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    HOP_BUG("EVP_DigestInit_ex(sha256) failed");
  }
  constexpr size_t k_step = size_t{1} << 20;
  std::string_view data = text.view();
  for (size_t at = 0; at < data.size(); at += k_step) {
    size_t n = std::min(k_step, data.size() - at);
    if (EVP_DigestUpdate(ctx.get(), data.data() + at, n) != 1) {
      HOP_BUG("EVP_DigestUpdate(sha256) failed");
    }
    text.release_before(at + n);
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &size) != 1) {
    HOP_BUG("EVP_DigestFinal_ex(sha256) failed");
  }
  return hex_of(digest.data(), size);
}

} // namespace hop
