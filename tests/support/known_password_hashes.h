// The password-hashing test double (known_password_hashes.cpp says why and
// how): the passwords it answers without running argon2, and a way to check
// a hash with libsodium's own verification.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace arkwiki::testing {

struct KnownPasswordHash {
  std::string_view password;
  std::string_view hash;  // made by crypto_pwhash_str at the interactive limits
};

std::span<const KnownPasswordHash> KnownPasswordHashes();

// libsodium's own crypto_pwhash_str_verify, past the double.
bool RealPasswordHashMatches(const std::string& hash, const std::string& password);

}  // namespace arkwiki::testing
