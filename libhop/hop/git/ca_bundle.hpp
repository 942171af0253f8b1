// libgit2's CA bundle, kept out of its start. Debian's libgit2 1.5 is built
// with mbedTLS, and git_libgit2_init() parses every certificate of the
// system bundle (/etc/ssl/certs/ca-certificates.crt, 144 certificates):
// 5.5-7.4 ms of CPU at every start of a command that opens a repository
// (bench/README.md, "Where the time goes"). git-hop never talks to a remote
// through libgit2: fetch, push and ls-remote run the git binary, which
// reads the bundle itself. So the parse is skipped while libgit2 starts.
//
// How: git-hop defines mbedtls_x509_crt_parse_file() and _path(), which
// the dynamic linker binds libgit2's calls to before libmbedx509's. Inside
// a SkipCaBundle scope they load nothing and succeed; outside it, they
// call mbedTLS's own (dlsym(RTLD_NEXT)). A libgit2 built with OpenSSL
// never calls them. Should git-hop ever use libgit2's network code, it
// must load the bundle first (git_libgit2_opts(GIT_OPT_SET_SSL_CERT_
// LOCATIONS, ...)); until then a TLS connection through libgit2 would
// trust no certificate, and fail.
#pragma once

namespace hop::git {

class SkipCaBundle {
public:
  SkipCaBundle();
  ~SkipCaBundle();
  SkipCaBundle(const SkipCaBundle&) = delete;
  SkipCaBundle& operator=(const SkipCaBundle&) = delete;
};

// What the interposers do: skip (inside a SkipCaBundle scope), else call
// mbedTLS's function `name`.
int parse_ca(const char* name, void* chain, const char* path);

// How many parses were skipped (for the unit test and GIT_HOP_TRACE).
int ca_bundle_parses_skipped();

} // namespace hop::git
