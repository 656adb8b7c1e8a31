#include "arkwiki/storage/password_hash.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

constexpr char kSalt[] = "c2FsdHNhbHRzYWx0c2FsdA$ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0ZGlnZXN0";

std::string Hash(const std::string& costs) { return "$argon2id$v=19$" + costs + "$" + kSalt; }

TEST(PasswordHashTest, AcceptsWhatArkwikiWrites) {
  EXPECT_TRUE(CheckPasswordHash(Hash("m=65536,t=2,p=1")).ok());
  // The unusable hashes arkwiki's old-format fixtures carry.
  EXPECT_TRUE(CheckPasswordHash("$argon2id$v=19$m=65536,t=2,p=1$fixture-no-login$").ok());
}

TEST(PasswordHashTest, RefusesCostsArkwikiNeverWritesNamingThem) {
  EXPECT_EQ(CheckPasswordHash(Hash("m=4194304,t=64,p=1")).message(),
            "password hash uses costs arkwiki never writes (m=4194304 KiB)");
  EXPECT_EQ(CheckPasswordHash(Hash("m=65536,t=64,p=1")).message(),
            "password hash uses costs arkwiki never writes (t=64)");
  EXPECT_EQ(CheckPasswordHash(Hash("m=65536,t=2,p=8")).message(),
            "password hash uses costs arkwiki never writes (p=8)");
  EXPECT_EQ(CheckPasswordHash(Hash("m=1024,t=2,p=1")).code(), StatusCode::kInvalidArgument);
}

TEST(PasswordHashTest, RefusesOtherAlgorithmsAndMalformedHashes) {
  for (const std::string& bad :
       {std::string("$argon2i$v=19$m=65536,t=2,p=1$") + kSalt,
        std::string("$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"),
        std::string("plaintext"), std::string(""), Hash("m=065536,t=2,p=1"), Hash("m=65536,t=2"),
        Hash("m=99999999999999999999999,t=2,p=1"),
        std::string("$argon2id$v=19$m=65536,t=2,p=1$a b$c"),
        std::string("$argon2id$v=19$m=65536,t=2,p=1$") + std::string(200, 'A') + "$A"}) {
    EXPECT_EQ(CheckPasswordHash(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

class PasswordHashLoginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = Storage::Open(Env::Default(), dir_.path()).value();
    ASSERT_TRUE(storage_->users().Create("victim", "correct horse", Role::kEditor).ok());
    ASSERT_TRUE(storage_->users().Create("other", "correct horse", Role::kAdmin).ok());
  }
  void StoreHash(const std::string& hash) {
    ASSERT_TRUE(storage_->db()
                    .Exec("UPDATE users SET password_hash = ? WHERE name = 'victim'", {hash})
                    .ok());
  }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

// A genuine argon2id hash of the right password at a cost arkwiki never
// uses (t=3): had login verified it at those costs, it would succeed.
TEST_F(PasswordHashLoginTest, NeverVerifiesAHashAtCostsArkwikiDidNotChoose) {
  ASSERT_GE(sodium_init(), 0);
  char foreign[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str(foreign, "correct horse", 13, 3, crypto_pwhash_MEMLIMIT_INTERACTIVE),
            0);
  ASSERT_NE(std::string(foreign).find("t=3"), std::string::npos);
  StoreHash(foreign);
  auto login = storage_->users().Authenticate("victim", "correct horse");
  EXPECT_EQ(login.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(login.status().message(),
            "the password of 'victim' must be reset: its password hash uses costs arkwiki never "
            "writes (t=3)");
}

TEST_F(PasswordHashLoginTest, RefusesTheFourGibibyteHashWithoutRunningIt) {
  StoreHash(Hash("m=4194304,t=64,p=1"));
  auto login = storage_->users().Authenticate("victim", "anything at all");
  EXPECT_NE(login.status().message().find("must be reset"), std::string::npos)
      << login.status().ToString();
}

TEST_F(PasswordHashLoginTest, AResetPasswordLogsInAgain) {
  StoreHash(Hash("m=4194304,t=64,p=1"));
  ASSERT_TRUE(storage_->users().SetPassword("victim", "new password").ok());
  EXPECT_TRUE(storage_->users().Authenticate("victim", "new password").ok());
}

TEST_F(PasswordHashLoginTest, ListsTheUsersWhoMustResetTheirPassword) {
  EXPECT_TRUE(UsersNeedingPasswordReset(storage_->db())->empty());
  StoreHash(Hash("m=4194304,t=64,p=1"));
  EXPECT_EQ(*UsersNeedingPasswordReset(storage_->db()), std::vector<std::string>{"victim"});
}

}  // namespace
}  // namespace arkwiki
