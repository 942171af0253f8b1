#include <hop/git/ca_bundle.hpp>
#include <hop/git/repository.hpp>

#include <catch2/catch.hpp>

#include <dlfcn.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;

// The interposers git-hop defines (ca_bundle.cpp): libgit2 binds to them.
extern "C" int mbedtls_x509_crt_parse_file(void* chain, const char* path);
extern "C" int mbedtls_x509_crt_parse_path(void* chain, const char* path);

namespace {

// Whether mbedTLS's own parser is loaded (Debian's libgit2 links it).
bool mbedtls_loaded()
{
  return dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file") != nullptr;
}

// mbedTLS's error for a file it cannot read (MBEDTLS_ERR_PK_FILE_IO_ERROR),
// returned before the chain is touched.
constexpr int k_file_io_error = -0x3E00;

} // namespace

TEST_CASE("libgit2 starts without parsing the CA bundle", "[git][ca]")
{
  char dir_template[] = "/tmp/git-hop-unit-ca.XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  fs::path dir = dir_template;
  // The first use of libgit2 starts it (a directory that is no repository).
  CHECK_FALSE(hop::git::Repository::discover(dir).has_value());
  fs::remove_all(dir);
  if (mbedtls_loaded()) {
    CHECK(hop::git::ca_bundle_parses_skipped() >= 1);
  } else {
    CHECK(hop::git::ca_bundle_parses_skipped() == 0);
  }
}

TEST_CASE("the CA parsers skip only inside SkipCaBundle", "[git][ca]")
{
  const char* missing = "/nonexistent/git-hop-ca.crt";
  int before = hop::git::ca_bundle_parses_skipped();
  {
    hop::git::SkipCaBundle skip;
    CHECK(mbedtls_x509_crt_parse_file(nullptr, missing) == 0);
    CHECK(mbedtls_x509_crt_parse_path(nullptr, "/nonexistent") == 0);
  }
  CHECK(hop::git::ca_bundle_parses_skipped() == before + 2);
  // Outside it, mbedTLS's own function runs: a missing file is its error.
  int expected = mbedtls_loaded() ? k_file_io_error : -1;
  CHECK(mbedtls_x509_crt_parse_file(nullptr, missing) == expected);
  CHECK(hop::git::ca_bundle_parses_skipped() == before + 2);
}
