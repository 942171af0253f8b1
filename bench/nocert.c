/* Diagnostic only, for `bench/run --breakdown`: an LD_PRELOAD stub that
 * makes libgit2's git_libgit2_init() skip parsing the system CA bundle.
 *
 * Debian's libgit2 1.5 is built with mbedTLS and, in git_libgit2_init(),
 * parses every certificate of /etc/ssl/certs/ca-certificates.crt with
 * mbedtls_x509_crt_parse_file(), whether or not anything will ever talk
 * HTTPS. Timing `git hop status` with and without this stub shows what that
 * costs per exec. Never use it for anything but measuring: with it, HTTPS
 * remotes have no trusted certificates. */
int mbedtls_x509_crt_parse_file(void* chain, const char* path);

int mbedtls_x509_crt_parse_file(void* chain, const char* path)
{
  (void)chain;
  (void)path;
  return 0;
}
