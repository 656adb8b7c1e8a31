// The password-hashing test double (tests/support/known_password_hashes.cpp)
// stands in for argon2 only where that changes nothing a test can see: each
// known hash is libsodium's real hash of its password, and every other
// password still goes through the real argon2id.
#include "support/known_password_hashes.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include "arkwiki/storage/password_hash.h"
#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

std::string StoredHash(Storage& storage, const std::string& name) {
  auto rows = storage.db().Query("SELECT password_hash FROM users WHERE name = ?", {name});
  EXPECT_TRUE(rows.ok() && !rows->empty());
  return rows.ok() && !rows->empty() ? rows->front().Text(0) : "";
}

TEST(KnownPasswordHashesTest, EveryKnownHashIsLibsodiumsHashOfItsPassword) {
  ASSERT_FALSE(KnownPasswordHashes().empty());
  for (const KnownPasswordHash& k : KnownPasswordHashes()) {
    const std::string hash(k.hash);
    const std::string password(k.password);
    EXPECT_TRUE(RealPasswordHashMatches(hash, password)) << password;
    EXPECT_FALSE(RealPasswordHashMatches(hash, password + "x")) << password;
    EXPECT_TRUE(CheckPasswordHash(hash).ok()) << password;
  }
}

TEST(KnownPasswordHashesTest, UsersWithKnownAndOtherPasswordsLogInAsWithRealHashing) {
  TempDir dir;
  auto storage = Storage::Open(Env::Default(), dir.path());
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  UserStore& users = (*storage)->users();
  ASSERT_TRUE(users.Create("known", "correct horse", Role::kEditor).ok());
  ASSERT_TRUE(users.Create("other", "a password no table holds", Role::kEditor).ok());
  ASSERT_TRUE(users.Create("other2", "a password no table holds", Role::kEditor).ok());
  const std::string known = StoredHash(**storage, "known");
  EXPECT_EQ(known, std::string(KnownPasswordHashes().front().hash));
  // The real argon2id: a fresh salt for each user, and a hash the rules accept.
  const std::string other = StoredHash(**storage, "other");
  EXPECT_NE(other, StoredHash(**storage, "other2"));
  EXPECT_TRUE(CheckPasswordHash(other).ok()) << other;
  EXPECT_TRUE(RealPasswordHashMatches(other, "a password no table holds"));
  for (const auto& [name, password] :
       {std::pair<std::string, std::string>{"known", "correct horse"},
        {"other", "a password no table holds"}}) {
    EXPECT_TRUE(users.Authenticate(name, password).ok()) << name;
    EXPECT_EQ(users.Authenticate(name, password + "!").status().code(),
              StatusCode::kUnauthenticated)
        << name;
  }
  // A known hash does not make its password valid for another user's hash.
  EXPECT_EQ(users.Authenticate("other", "correct horse").status().code(),
            StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace arkwiki::testing
