#include "arkwiki/storage/user_store.h"

#include <gtest/gtest.h>

#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { storage_ = Storage::Open(Env::Default(), dir_.path()).value(); }
  UserStore& users() { return storage_->users(); }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(UserStoreTest, StoresOnlyArgon2idHash) {
  ASSERT_TRUE(users().Create("ann", "correct horse", Role::kAdmin).ok());
  auto hash = storage_->db().Query("SELECT password_hash FROM users").value()[0].Text(0);
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
}

TEST_F(UserStoreTest, AuthenticatesAndRefusesWrongOrDisabled) {
  ASSERT_TRUE(users().Create("ann", "correct horse", Role::kEditor).ok());
  EXPECT_TRUE(users().Authenticate("ann", "correct horse").ok());
  EXPECT_EQ(users().Authenticate("ann", "wrong password").status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(users().Authenticate("nobody", "x").status().code(), StatusCode::kUnauthenticated);
  ASSERT_TRUE(users().SetDisabled("ann", true).ok());
  EXPECT_FALSE(users().Authenticate("ann", "correct horse").ok());
}

TEST_F(UserStoreTest, RefusesToRemoveTheLastEnabledAdmin) {
  ASSERT_TRUE(users().Create("ann", "correct horse", Role::kAdmin).ok());
  EXPECT_EQ(users().SetRole("ann", Role::kEditor).code(), StatusCode::kConflict);
  EXPECT_EQ(users().SetDisabled("ann", true).code(), StatusCode::kConflict);
  EXPECT_EQ(users().Get("ann")->role, Role::kAdmin);
  ASSERT_TRUE(users().Create("bob", "correct horse", Role::kAdmin).ok());
  EXPECT_TRUE(users().SetDisabled("ann", true).ok());
}

TEST_F(UserStoreTest, RefusesDuplicateNamesCaseInsensitively) {
  ASSERT_TRUE(users().Create("ann", "correct horse", Role::kEditor).ok());
  EXPECT_EQ(users().Create("ANN", "correct horse", Role::kEditor).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(UserStoreTest, SessionsStoreOnlyTokenHashAndEndOnDisable) {
  auto user = users().Create("ann", "correct horse", Role::kEditor).value();
  auto session = users().CreateSession(user.id, 3600).value();
  EXPECT_EQ(users().LookupSession(session.token)->user.name, "ann");
  auto stored = storage_->db().Query("SELECT token_hash FROM sessions").value()[0].Text(0);
  EXPECT_NE(stored, session.token);
  ASSERT_TRUE(users().SetDisabled("ann", true).ok());
  EXPECT_FALSE(users().LookupSession(session.token).ok());
}

TEST_F(UserStoreTest, ApiTokensCarryTheirUserAndCanBeRevoked) {
  auto user = users().Create("bot", "correct horse", Role::kReader).value();
  auto token = users().CreateApiToken(user.id, "ci").value();
  EXPECT_EQ(users().LookupApiToken(token)->role, Role::kReader);
  auto list = users().ListApiTokens().value();
  ASSERT_EQ(list.size(), 1u);
  ASSERT_TRUE(users().RevokeApiToken(list[0].id).ok());
  EXPECT_FALSE(users().LookupApiToken(token).ok());
}

TEST_F(UserStoreTest, PreferencesValidateAndPersist) {
  auto user = users().Create("ann", "correct horse", Role::kEditor).value();
  EXPECT_EQ(users().GetPreferences(user.id)->at("theme"), "system");
  ASSERT_TRUE(
      users().SetPreferences(user.id, {{"theme", "dark"}, {"timezone", "Europe/Oslo"}}).ok());
  EXPECT_EQ(users().GetPreferences(user.id)->at("theme"), "dark");
  EXPECT_FALSE(users().SetPreferences(user.id, {{"theme", "neon"}}).ok());
  EXPECT_FALSE(users().SetPreferences(user.id, {{"shell", "x"}}).ok());
}

TEST_F(UserStoreTest, PasswordResetAndDisableEndApiTokensForGood) {
  auto ann = users().Create("ann", "correct horse", Role::kEditor).value();
  auto bob = users().Create("bob", "correct horse", Role::kEditor).value();
  const std::string ann_token = users().CreateApiToken(ann.id, "script").value();
  const std::string bob_token = users().CreateApiToken(bob.id, "script").value();
  ASSERT_TRUE(users().SetPassword("ann", "a new password").ok());
  EXPECT_FALSE(users().LookupApiToken(ann_token).ok());
  ASSERT_TRUE(users().SetDisabled("bob", true).ok());
  ASSERT_TRUE(users().SetDisabled("bob", false).ok());
  EXPECT_FALSE(users().LookupApiToken(bob_token).ok());  // enabling brings none back
  EXPECT_TRUE(users().ListApiTokens()->empty());
}

TEST_F(UserStoreTest, SessionEndsWhenIdleAndUseExtendsIt) {
  auto user = users().Create("ann", "correct horse", Role::kEditor).value();
  const SessionPolicy policy;
  auto session = users().CreateSession(user.id, policy.max_age_seconds).value();
  // Without use, the session ends after the idle period, not the maximum age.
  EXPECT_LE(session.expires_at, session.created_at + policy.idle_seconds);
  // Used again an hour before its idle period ends: it is extended.
  const int64_t soon = session.created_at + 3600;
  ASSERT_TRUE(storage_->db().Exec("UPDATE sessions SET expires_at = ?", {soon}).ok());
  auto looked_up = users().LookupSession(session.token).value();
  EXPECT_GT(looked_up.expires_at, soon + policy.idle_seconds / 2);
  EXPECT_EQ(storage_->db().QueryInt("SELECT expires_at FROM sessions").value(),
            looked_up.expires_at);
  // Idle past its end: gone.
  ASSERT_TRUE(storage_->db().Exec("UPDATE sessions SET expires_at = created_at - 1").ok());
  EXPECT_FALSE(users().LookupSession(session.token).ok());
}

TEST_F(UserStoreTest, SessionEndsAtItsMaximumAgeWhateverTheUse) {
  auto user = users().Create("ann", "correct horse", Role::kEditor).value();
  const SessionPolicy policy;
  auto session = users().CreateSession(user.id, policy.max_age_seconds).value();
  ASSERT_TRUE(
      storage_->db()
          .Exec("UPDATE sessions SET created_at = created_at - ?", {policy.max_age_seconds + 1})
          .ok());
  EXPECT_FALSE(users().LookupSession(session.token).ok());
}

TEST_F(UserStoreTest, DeletesEndedSessionRows) {
  auto user = users().Create("ann", "correct horse", Role::kEditor).value();
  auto live = users().CreateSession(user.id, 3600).value();
  ASSERT_TRUE(users().CreateSession(user.id, 3600).ok());
  ASSERT_TRUE(storage_->db()
                  .Exec("UPDATE sessions SET expires_at = 1 WHERE token_hash != "
                        "(SELECT token_hash FROM sessions ORDER BY rowid LIMIT 1)")
                  .ok());
  ASSERT_TRUE(users().DeleteExpiredSessions().ok());
  EXPECT_EQ(storage_->db().QueryInt("SELECT count(*) FROM sessions").value(), 1);
  EXPECT_TRUE(users().LookupSession(live.token).ok());
}

}  // namespace
}  // namespace arkwiki
