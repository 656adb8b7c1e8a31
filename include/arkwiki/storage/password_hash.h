// The one rule for a stored password hash: it must be one arkwiki could
// have written. arkwiki writes argon2id through libsodium's
// crypto_pwhash_str with the "interactive" limits (m=65536 KiB, t=2, p=1).
// A hash with other costs makes every login for that user run argon2 at
// those costs (4 GiB and minutes for m=4194304,t=64), so such a hash is
// refused on import and before a backup, and never verified at login: its
// user must have the password reset.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

// Ok for "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<digest>" (salt and digest
// printable ASCII, at most 127 bytes in all). Otherwise InvalidArgument with the rule,
// e.g. "password hash uses costs arkwiki never writes (m=4194304 KiB)".
// Reads nothing but the string: it never runs argon2.
Status CheckPasswordHash(std::string_view hash);

// The names of the users whose stored hash fails CheckPasswordHash, in name
// order: they cannot log in until their password is reset.
Result<std::vector<std::string>> UsersNeedingPasswordReset(Db& db);

}  // namespace arkwiki
