// The reference for `git hop --version` (design §10): a program that does
// nothing, linked to the same libraries as git-hop. One symbol of each library
// is referenced, behind a branch never taken, so the linker keeps every one
// of them and the dynamic loader really maps them (with their own
// dependencies) and runs their initialisers on each exec. bench/run builds
// it in its temp dir and runs it through git as `git noop`.
#include <boost/filesystem/operations.hpp>
#include <boost/program_options/options_description.hpp>
#include <git2/common.h>
#include <libpq-fe.h>
#include <toml++/toml.h>

#include <openssl/crypto.h>
#include <unistr.h>

#include <cmath>
#include <iostream>
#include <string_view>

int main(int argc, char** argv)
{
  if (argc > 1000) { // never taken: only keeps the references
    boost::program_options::options_description options("x");
    std::cout << options << boost::filesystem::current_path() << PQlibVersion()
              << toml::parse(std::string_view(argv[0])) << OpenSSL_version_num()
              << u8_check(reinterpret_cast<const uint8_t*>(argv[0]), 1)
              << std::pow(static_cast<double>(argc), 0.5) << '\n'; // libm
    int major = 0, minor = 0, rev = 0;
    git_libgit2_version(&major, &minor, &rev);
    return major + minor + rev;
  }
  std::cout << "noop version 0\n"; // as much output as `git hop --version`
  return 0;
}
