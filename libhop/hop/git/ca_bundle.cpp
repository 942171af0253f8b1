#include "ca_bundle.hpp"

#include <dlfcn.h>

namespace hop::git {

namespace {

bool g_skip = false;
int g_skipped = 0;

using ParseFn = int (*)(void*, const char*);

// mbedTLS's own function `name`, or nullptr (libgit2 without mbedTLS).
int call_real(const char* name, void* chain, const char* path)
{
  auto* real = reinterpret_cast<ParseFn>(dlsym(RTLD_NEXT, name));
  if (real == nullptr) {
    return -1;
  }
  return real(chain, path);
}

} // namespace

int parse_ca(const char* name, void* chain, const char* path)
{
  if (g_skip) {
    ++g_skipped;
    return 0;
  }
  return call_real(name, chain, path);
}

SkipCaBundle::SkipCaBundle()
{
  g_skip = true;
}

SkipCaBundle::~SkipCaBundle()
{
  g_skip = false;
}

int ca_bundle_parses_skipped()
{
  return g_skipped;
}

} // namespace hop::git

// The interposers (see ca_bundle.hpp). mbedtls_x509_crt is opaque here.
extern "C" {

int mbedtls_x509_crt_parse_file(void* chain, const char* path);
int mbedtls_x509_crt_parse_path(void* chain, const char* path);

int mbedtls_x509_crt_parse_file(void* chain, const char* path)
{
  return hop::git::parse_ca("mbedtls_x509_crt_parse_file", chain, path);
}

int mbedtls_x509_crt_parse_path(void* chain, const char* path)
{
  return hop::git::parse_ca("mbedtls_x509_crt_parse_path", chain, path);
}

} // extern "C"
