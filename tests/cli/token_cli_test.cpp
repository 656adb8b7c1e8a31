// `arkwiki token list` and `arkwiki token revoke` as a process: what they
// print, what they change, and their exit codes.
#include <gtest/gtest.h>

#include "support/arkwiki_process.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

class TokenCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"ann", "bob"}) {
      CommandResult add = RunArkwiki(
          {"user", "add", "--data", data_, "--name", name, "--role", "editor", "--password-stdin"},
          "correct horse battery\n");
      ASSERT_EQ(add.exit_code, 0) << add.err;
    }
    CommandResult t1 = RunArkwiki(
        {"token", "create", "--data", data_, "--user", "ann", "--label", "nightly export"});
    ASSERT_EQ(t1.exit_code, 0) << t1.err;
    secret_ = t1.out.substr(0, t1.out.find('\n'));
    ASSERT_EQ(RunArkwiki({"token", "create", "--data", data_, "--user", "bob"}).exit_code, 0);
  }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string secret_;
};

TEST_F(TokenCliTest, ListShowsEachTokenButNeverTheSecret) {
  CommandResult r = RunArkwiki({"token", "list", "--data", data_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ID"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nightly export"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bob"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("never"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(secret_), std::string::npos);
  CommandResult json = RunArkwiki({"token", "list", "--json", "--data", data_});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find(R"("user":"ann")"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("label":"nightly export")"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("last_used_at":null)"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find(R"("created_at":"20)"), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find(secret_), std::string::npos);
}

TEST_F(TokenCliTest, RevokeRemovesTheTokenAndIsAudited) {
  CommandResult r = RunArkwiki({"token", "revoke", "1", "--data", data_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("revoked token 1 of ann"), std::string::npos) << r.out;
  CommandResult list = RunArkwiki({"token", "list", "--json", "--data", data_});
  EXPECT_EQ(list.out.find("nightly export"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find(R"("user":"bob")"), std::string::npos) << list.out;
  // Revoking it again: it is gone.
  CommandResult again = RunArkwiki({"token", "revoke", "1", "--data", data_});
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE(again.err.find("arkwiki: error: no API token with id 1"), std::string::npos)
      << again.err;
}

TEST_F(TokenCliTest, ExitCodes) {
  EXPECT_EQ(RunArkwiki({"token", "revoke", "abc", "--data", data_}).exit_code, 2);
  EXPECT_EQ(RunArkwiki({"token", "revoke", "--data", data_}).exit_code, 2);
  EXPECT_EQ(RunArkwiki({"token", "revoke", "1", "2", "--data", data_}).exit_code, 2);
  EXPECT_EQ(RunArkwiki({"token", "list", "extra", "--data", data_}).exit_code, 2);
  EXPECT_EQ(RunArkwiki({"token", "list", "--data", data_, "--bogus"}).exit_code, 2);
  EXPECT_EQ(RunArkwiki({"token", "revoke", "999", "--data", data_}).exit_code, 1);
  for (const char* sub : {"list", "revoke"}) {
    CommandResult help = RunArkwiki({"token", sub, "--help"});
    EXPECT_EQ(help.exit_code, 0) << sub;
    EXPECT_NE(help.out.find(std::string("arkwiki token ") + sub), std::string::npos) << help.out;
    EXPECT_NE(help.out.find("exit codes:"), std::string::npos) << help.out;
  }
}

}  // namespace
}  // namespace arkwiki::testing
