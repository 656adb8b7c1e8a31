// A test double for libsodium's argon2id password hashing, linked into the
// test programs that link the storage layer (tests/CMakeLists.txt), never
// into arkwiki or the drills.
//
// Why: each hash at arkwiki's "interactive" limits costs 0.2-0.6 s of CPU
// and 64 MiB of fresh memory, and a seeded wiki has three users. Counted
// over one Release run of the unit and integration tests (an LD_PRELOAD
// wrapper): about 360 CPU-seconds, half in the test programs, half in the
// arkwiki children they start (docs/testing.md).
//
// How: these definitions of crypto_pwhash_str and crypto_pwhash_str_verify
// take the place of libsodium's for every call made inside a test program
// (the program's own symbols come first). For the passwords the tests use,
// crypto_pwhash_str returns a hash made once with the real function at the
// same limits, so the string is a genuine argon2id hash: an arkwiki child
// process, which uses the real libsodium, verifies it, and the hash rules
// (CheckPasswordHash) see what production writes. Any other password, or
// other limits, goes to the real function, and so does any other hash at
// verification. KnownPasswordHashesTest checks every entry with the real
// libsodium.
#include "support/known_password_hashes.h"

#include <dlfcn.h>
#include <sodium.h>

#include <cstring>
#include <string_view>

namespace arkwiki::testing {
namespace {

constexpr KnownPasswordHash kKnownHashes[] = {
    {"correct horse",
     "$argon2id$v=19$m=65536,t=2,p=1$8jJP6tL9YaGbNJeKvpvLjw$"
     "TP121pu4oQCejDB6UIAbNnmIqA397UTpZdYupvHylMI"},
    {"correct horse battery",
     "$argon2id$v=19$m=65536,t=2,p=1$CCKqdCZNcE6zsLGsWFzJ7A$"
     "hC78v+HRCEaXvsgsaRtqWyNCwTGW5qnuayd4hQhBY4A"},
    {"correct horse a",
     "$argon2id$v=19$m=65536,t=2,p=1$aeKSvNmIdO+6Y3zrGVY+Yg$"
     "TGAC9x8zaNDzVXNCeOm3vTdX1kyoXgHPuouLcUXTVnE"},
    {"correct horse b",
     "$argon2id$v=19$m=65536,t=2,p=1$ZRAu5CgvWN+LP/ZFZazaFQ$"
     "8oUxVjWU+SxuAFcFPK5K9px3uGUCVSA4OOSk3lPaAco"},
    {"correct horse live",
     "$argon2id$v=19$m=65536,t=2,p=1$Mdx7Dn8nOq7rt/+kJvubeQ$"
     "80GU/n2GlvQ4cfJYiCD55u64m8Nh8Vd6+m7C9u9fKjY"},
    {"correct horse fixture",
     "$argon2id$v=19$m=65536,t=2,p=1$gvwLz/H+TZaMq3bspiqpqw$"
     "eQW54Aakmy7Pta1vjScB1yY7AWpuXI0WPkEIrpRYv20"},
};

const KnownPasswordHash* ByPassword(std::string_view password) {
  for (const KnownPasswordHash& k : kKnownHashes) {
    if (k.password == password) return &k;
  }
  return nullptr;
}

const KnownPasswordHash* ByHash(std::string_view hash) {
  for (const KnownPasswordHash& k : kKnownHashes) {
    if (k.hash == hash) return &k;
  }
  return nullptr;
}

// libsodium's own definition, the next one after this program's.
template <typename Function>
Function Real(const char* name) {
  return reinterpret_cast<Function>(dlsym(RTLD_NEXT, name));
}

using HashFunction = int (*)(char*, const char*, unsigned long long, unsigned long long, size_t);
using VerifyFunction = int (*)(const char*, const char*, unsigned long long);

}  // namespace

std::span<const KnownPasswordHash> KnownPasswordHashes() { return kKnownHashes; }

bool RealPasswordHashMatches(const std::string& hash, const std::string& password) {
  static const VerifyFunction real = Real<VerifyFunction>("crypto_pwhash_str_verify");
  return real != nullptr && real(hash.c_str(), password.data(), password.size()) == 0;
}

}  // namespace arkwiki::testing

using arkwiki::testing::ByHash;
using arkwiki::testing::ByPassword;
using arkwiki::testing::HashFunction;
using arkwiki::testing::KnownPasswordHash;
using arkwiki::testing::Real;
using arkwiki::testing::VerifyFunction;

extern "C" int crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char* const passwd,
                                 unsigned long long passwdlen, unsigned long long opslimit,
                                 size_t memlimit) {
  const KnownPasswordHash* known = ByPassword(std::string_view(passwd, passwdlen));
  if (known != nullptr && opslimit == crypto_pwhash_OPSLIMIT_INTERACTIVE &&
      memlimit == crypto_pwhash_MEMLIMIT_INTERACTIVE) {
    std::memcpy(out, known->hash.data(), known->hash.size());
    out[known->hash.size()] = '\0';
    return 0;
  }
  static const HashFunction real = Real<HashFunction>("crypto_pwhash_str");
  return real != nullptr ? real(out, passwd, passwdlen, opslimit, memlimit) : -1;
}

extern "C" int crypto_pwhash_str_verify(const char* str, const char* const passwd,
                                        unsigned long long passwdlen) {
  if (const KnownPasswordHash* known = ByHash(str)) {
    return known->password == std::string_view(passwd, passwdlen) ? 0 : -1;
  }
  static const VerifyFunction real = Real<VerifyFunction>("crypto_pwhash_str_verify");
  return real != nullptr ? real(str, passwd, passwdlen) : -1;
}
