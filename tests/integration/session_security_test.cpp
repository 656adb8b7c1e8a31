// Logins across imports and account changes, over a real socket: an import
// keeps a session only for the same wiki and an unchanged password hash;
// replace-all actions, and changes that give a user power, need from a
// browser the password or a fresh login; a password reset or a disable ends
// the user's API tokens.
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class SessionSecurityTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    HttpResponse bob = Client("admin").Request(
        "POST", "/api/users",
        std::string(R"({"name":"bob","role":"reader","password":")") + kPassword + R"("})",
        "application/json");
    ASSERT_EQ(bob.status, 201) << bob.body;
  }

  HttpClient LoggedIn(const std::string& name, const std::string& password = kPassword) {
    HttpClient c(server_->port());
    EXPECT_TRUE(LoginWithForm(c, name, password)) << name;
    return c;
  }

  // The role /api/me reports for this client, or "" when it is logged out.
  static std::string RoleOf(HttpClient& c) {
    HttpResponse me = c.Get("/api/me");
    if (me.status != 200) return "";
    return ParseJson(me.body)->optValue<std::string>("role", "");
  }

  // Another wiki's backup in which "bob" is an admin with another password.
  std::string OtherWikisBackup() {
    const std::string other = dir_.Sub("other");
    auto add = RunArkwiki(
        {"user", "add", "--data", other, "--name", "bob", "--role", "admin", "--password-stdin"},
        "another wiki's password\n");
    EXPECT_EQ(add.exit_code, 0) << add.err;
    const std::string zip = dir_.Sub("other-backup.zip");
    auto made = RunArkwiki({"backup", "create", "--data", other, "--out", zip});
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return ReadWhole(zip);
  }

  // Moves every login `seconds` into the past (with the server stopped),
  // then serves again; `clients` keep their cookies on the new port.
  void AgeLogins(int64_t seconds, std::vector<HttpClient*> clients) {
    ASSERT_EQ(server_->Stop(), 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((data_ + "/live/arkwiki.db").c_str(), &db), SQLITE_OK);
    const std::string sql =
        "UPDATE sessions SET created_at = created_at - " + std::to_string(seconds);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto server = StartServer(data_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
    for (HttpClient* c : clients) {
      HttpClient moved(server_->port());
      moved.cookies() = c->cookies();
      *c = std::move(moved);
    }
  }
};

TEST_F(SessionSecurityTest, ImportOfAnotherWikiLogsOutItsNamesakes) {
  HttpClient bob = LoggedIn("bob");
  ASSERT_EQ(RoleOf(bob), "reader");
  const std::string zip = OtherWikisBackup();

  HttpResponse dry = ApiRestore(zip, "?dry_run=1");
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto sessions = ParseJson(dry.body)->getObject("preview")->getObject("sessions");
  ASSERT_TRUE(sessions) << dry.body;
  EXPECT_FALSE(sessions->getValue<bool>("same_wiki"));
  EXPECT_NE(dry.body.find(R"("logged_out":["bob"])"), std::string::npos) << dry.body;

  HttpResponse restored = ApiRestore(zip);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_NE(restored.body.find(R"("sessions_kept_for":[])"), std::string::npos) << restored.body;
  EXPECT_NE(restored.body.find(R"("sessions_ended_for":["bob"])"), std::string::npos);
  EXPECT_EQ(RoleOf(bob), "") << "bob's old session became the other wiki's admin";
}

TEST_F(SessionSecurityTest, RestoreOfThisWikiKeepsSessionsWithAnUnchangedPassword) {
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  HttpClient bob = LoggedIn("bob");
  // The reader's password changes after the backup: the backup's hash is
  // another, so that login must not survive the restore.
  ASSERT_EQ(Client("admin")
                .Request("PUT", "/api/users/reader", R"({"password":"a newer password"})",
                         "application/json")
                .status,
            200);
  HttpClient reader = LoggedIn("reader", "a newer password");
  ASSERT_EQ(RoleOf(reader), "reader");

  HttpResponse dry = ApiRestore(backup.body, "?dry_run=1");
  EXPECT_NE(dry.body.find(R"("same_wiki":true)"), std::string::npos) << dry.body;
  EXPECT_NE(dry.body.find(R"("logged_out":["reader"])"), std::string::npos) << dry.body;

  HttpResponse restored = ApiRestore(backup.body);
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_EQ(RoleOf(bob), "reader");
  EXPECT_EQ(RoleOf(reader), "");
}

TEST_F(SessionSecurityTest, ImportPreviewPageNamesWhoIsLoggedOut) {
  HttpClient bob = LoggedIn("bob");
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  const std::string zip = OtherWikisBackup();
  HttpResponse staged = admin.Request("POST", "/settings/backup/import?csrf=" + csrf,
                                      MultipartBody("XyZbOuNdArY", "file", "other.zip", zip),
                                      "multipart/form-data; boundary=XyZbOuNdArY");
  ASSERT_EQ(staged.status, 303) << staged.body;
  HttpResponse preview = admin.Get(staged.Header("location"));
  ASSERT_EQ(preview.status, 200);
  EXPECT_NE(preview.body.find("This backup is of another wiki"), std::string::npos);
  EXPECT_NE(preview.body.find(R"(<strong class="logged-out-user">bob</strong>)"), std::string::npos)
      << preview.body;
  EXPECT_NE(preview.body.find("You will need to log in again"), std::string::npos);
}

TEST_F(SessionSecurityTest, ReplaceAllFromABrowserNeedsThePasswordAfterAWhile) {
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  AgeLogins(6 * 60, {&admin});  // past the five minutes a fresh login counts
  const process::Headers with_csrf = {{"X-CSRF-Token", csrf}};

  HttpResponse bare =
      admin.Request("POST", "/api/restore", backup.body, "application/zip", with_csrf);
  EXPECT_EQ(bare.status, 403) << bare.body;
  process::Headers wrong = with_csrf;
  wrong["X-Confirm-Password"] = "not the password";
  EXPECT_EQ(admin.Request("POST", "/api/restore", backup.body, "application/zip", wrong).status,
            401);
  EXPECT_EQ(
      admin.Request("POST", "/api/restore?dry_run=1", backup.body, "application/zip", with_csrf)
          .status,
      200);
  process::Headers right = with_csrf;
  right["X-Confirm-Password"] = kPassword;
  HttpResponse done = admin.Request("POST", "/api/restore", backup.body, "application/zip", right);
  EXPECT_EQ(done.status, 200) << done.body;

  // Undo last import, the same.
  EXPECT_EQ(admin.PostForm("/settings/backup/undo", {{"csrf", csrf}}).status, 403);
  HttpResponse undo =
      admin.PostForm("/settings/backup/undo", {{"csrf", csrf}, {"password", kPassword}});
  EXPECT_EQ(undo.status, 202) << undo.body;
  WaitForJob(admin, JobIdFromPage(undo.body));
}

TEST_F(SessionSecurityTest, PasswordResetAndDisableEndTheUsersApiTokens) {
  ASSERT_EQ(Client("reader").Get("/api/me").status, 200);
  ASSERT_EQ(Client("admin")
                .Request("PUT", "/api/users/reader", R"({"password":"a newer password"})",
                         "application/json")
                .status,
            200);
  EXPECT_EQ(Client("reader").Get("/api/me").status, 401);

  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  ASSERT_EQ(Client("editor").Get("/api/me").status, 200);
  EXPECT_EQ(admin.PostForm("/settings/users/editor/disable", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(admin.PostForm("/settings/users/editor/enable", {{"csrf", csrf}}).status, 303);
  EXPECT_EQ(Client("editor").Get("/api/me").status, 401);
}

// An old browser session (a stolen cookie, a forged request with its CSRF
// token) cannot give anyone lasting power: no new user, role, password,
// re-enabled account or API token without the password. Taking power away
// (disabling) needs none.
TEST_F(SessionSecurityTest, GivingPowerFromAnOldBrowserSessionNeedsThePassword) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  AgeLogins(6 * 60, {&admin});
  auto form = [&csrf](std::map<std::string, std::string> fields, const char* password) {
    fields["csrf"] = csrf;
    if (password != nullptr) fields["current_password"] = password;
    return fields;
  };
  const std::map<std::string, std::string> add = {
      {"name", "mallory"}, {"role", "admin"}, {"password", "mallory's password"}};

  HttpResponse bare = admin.PostForm("/settings/users", form(add, nullptr));
  EXPECT_EQ(bare.status, 403);
  EXPECT_NE(bare.body.find("Adding a user needs your password"), std::string::npos) << bare.body;
  EXPECT_EQ(admin.PostForm("/settings/users", form(add, "not the password")).status, 401);
  EXPECT_EQ(Client("admin").Get("/api/users").body.find("mallory"), std::string::npos);
  EXPECT_EQ(admin.PostForm("/settings/users/bob/role", form({{"role", "admin"}}, nullptr)).status,
            403);
  EXPECT_EQ(admin
                .PostForm("/settings/users/bob/password",
                          form({{"password", "bob's new password"}}, nullptr))
                .status,
            403);
  HttpClient bob = LoggedIn("bob");
  EXPECT_EQ(RoleOf(bob), "reader");
  EXPECT_EQ(
      admin.PostForm("/settings/tokens", form({{"user", "admin"}, {"label", "x"}}, nullptr)).status,
      403);
  EXPECT_EQ(admin.PostForm("/settings/users/bob/disable", form({}, nullptr)).status, 303);
  EXPECT_EQ(admin.PostForm("/settings/users/bob/enable", form({}, nullptr)).status, 403);

  // The JSON API from the same session: the password goes in a header.
  const process::Headers with_csrf = {{"X-CSRF-Token", csrf}};
  HttpResponse api = admin.Request(
      "POST", "/api/users", R"({"name":"mallory","role":"admin","password":"mallory's password"})",
      "application/json", with_csrf);
  EXPECT_EQ(api.status, 403);
  EXPECT_EQ(ParseJson(api.body)->optValue<std::string>("code", ""), "password_required");
  EXPECT_EQ(
      admin.Request("PUT", "/api/users/bob", R"({"disabled":false})", "application/json", with_csrf)
          .status,
      403);
  EXPECT_EQ(
      admin.Request("POST", "/api/tokens", R"({"user":"admin"})", "application/json", with_csrf)
          .status,
      403);
  EXPECT_EQ(Client("admin").Get("/api/users").body.find("mallory"), std::string::npos);

  // With the password, each goes through.
  EXPECT_EQ(admin.PostForm("/settings/users", form(add, kPassword)).status, 303);
  EXPECT_EQ(admin.PostForm("/settings/users/bob/enable", form({}, kPassword)).status, 303);
  EXPECT_EQ(
      admin.PostForm("/settings/users/bob/role", form({{"role", "editor"}}, kPassword)).status,
      303);
  process::Headers confirmed = with_csrf;
  confirmed["X-Confirm-Password"] = kPassword;
  EXPECT_EQ(
      admin.Request("POST", "/api/tokens", R"({"user":"admin"})", "application/json", confirmed)
          .status,
      201);
  HttpClient bob_again = LoggedIn("bob");
  EXPECT_EQ(RoleOf(bob_again), "editor");
}

// Nor can it decide where backups go or how long they are kept: a target
// of its own would receive a copy of every later backup, and a policy that
// keeps one point would make retention forget the rest.
TEST_F(SessionSecurityTest, ChangingOffsiteTargetsOrThePolicyFromAnOldSessionNeedsThePassword) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  AgeLogins(6 * 60, {&admin});
  const process::Headers with_csrf = {{"X-CSRF-Token", csrf}};
  process::Headers confirmed = with_csrf;
  confirmed["X-Confirm-Password"] = kPassword;
  const std::string target = R"({"name":"elsewhere","kind":"directory","path":")" +
                             dir_.Sub("elsewhere") + R"(","passphrase":"a passphrase of mine"})";
  const std::string keep_one = R"({"retention_keep_last":"1","retention_keep_daily":"0",)"
                               R"("retention_keep_weekly":"0","retention_keep_monthly":"0"})";
  const std::string policy_before = Client("admin").Get("/api/backup-policy").body;

  HttpResponse add =
      admin.Request("POST", "/api/offsite/targets", target, "application/json", with_csrf);
  EXPECT_EQ(add.status, 403) << add.body;
  EXPECT_NE(add.body.find("Changing off-site targets needs your password"), std::string::npos);
  EXPECT_EQ(
      admin.Request("PUT", "/api/backup-policy", keep_one, "application/json", with_csrf).status,
      403);
  HttpResponse add_form =
      admin.PostForm("/settings/backup/offsite", {{"csrf", csrf},
                                                  {"name", "elsewhere"},
                                                  {"kind", "directory"},
                                                  {"path", dir_.Sub("elsewhere")},
                                                  {"passphrase", "a passphrase of mine"}});
  EXPECT_EQ(add_form.status, 303);
  EXPECT_NE(
      admin.Get(add_form.Header("location")).body.find("Changing off-site targets needs your"),
      std::string::npos);
  EXPECT_EQ(
      admin
          .PostForm("/settings/backup/policy",
                    {{"csrf", csrf}, {"backup_schedule", "every 1h"}, {"check_schedule", "off"}})
          .status,
      303);
  EXPECT_EQ(Client("admin").Get("/api/offsite/targets").body.find("elsewhere"), std::string::npos);
  EXPECT_EQ(Client("admin").Get("/api/backup-policy").body, policy_before);

  // With the password: added, then removed only with it again.
  EXPECT_EQ(
      admin.Request("POST", "/api/offsite/targets", target, "application/json", confirmed).status,
      201);
  EXPECT_EQ(admin.Request("DELETE", "/api/offsite/targets/elsewhere", "", "", with_csrf).status,
            403);
  EXPECT_EQ(admin.Request("DELETE", "/api/offsite/targets/elsewhere", "", "", confirmed).status,
            204);
  EXPECT_EQ(
      admin.Request("PUT", "/api/backup-policy", keep_one, "application/json", confirmed).status,
      200);
}

// The wiki's settings include where alerts go, how long safety backups
// are kept and base_url, which decides whether cookies are Secure.
TEST_F(SessionSecurityTest, ChangingTheSettingsFromAnOldSessionNeedsThePassword) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  AgeLogins(6 * 60, {&admin});
  const std::string before = Client("admin").Get("/api/settings").body;
  const std::string hook = R"({"backup_webhook_url":"http://hooks.example/elsewhere"})";
  EXPECT_EQ(
      admin.Request("PUT", "/api/settings", hook, "application/json", {{"X-CSRF-Token", csrf}})
          .status,
      403);
  HttpResponse page =
      admin.PostForm("/settings/system", {{"csrf", csrf}, {"site_title", "Taken Over"}});
  EXPECT_EQ(page.status, 403);
  EXPECT_NE(page.body.find("Changing the wiki&#39;s settings needs your password"),
            std::string::npos)
      << page.body.substr(0, 2000);
  EXPECT_EQ(Client("admin").Get("/api/settings").body, before);
  EXPECT_EQ(admin
                .Request("PUT", "/api/settings", hook, "application/json",
                         {{"X-CSRF-Token", csrf}, {"X-Confirm-Password", kPassword}})
                .status,
            200);
}

// Wrong passwords are throttled as logins are, with a Retry-After.
TEST_F(SessionSecurityTest, WrongConfirmationPasswordsAreThrottledWithRetryAfter) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  process::Headers wrong = {{"X-CSRF-Token", csrf}, {"X-Confirm-Password", "not the password"}};
  HttpResponse last;
  for (int i = 0; i < 10 && last.status != 429; ++i) {
    last = admin.Request("POST", "/api/tokens", R"({"user":"admin"})", "application/json", wrong);
    ASSERT_TRUE(last.status == 401 || last.status == 429) << last.status << " " << last.body;
  }
  ASSERT_EQ(last.status, 429) << last.body;
  EXPECT_EQ(ParseJson(last.body)->optValue<std::string>("code", ""), "too_many_requests");
  EXPECT_FALSE(last.Header("retry-after").empty());
}

// A fresh login needs no password for the same changes, and a script with
// an API token never does.
TEST_F(SessionSecurityTest, AFreshLoginOrATokenGivesPowerWithoutThePassword) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  EXPECT_EQ(admin
                .PostForm("/settings/users", {{"csrf", csrf},
                                              {"name", "carol"},
                                              {"role", "editor"},
                                              {"password", "carol's password"}})
                .status,
            303);
  EXPECT_EQ(admin.PostForm("/settings/tokens", {{"csrf", csrf}, {"user", "carol"}, {"label", "x"}})
                .status,
            200);
  EXPECT_EQ(Client("admin")
                .Request("PUT", "/api/users/carol", R"({"role":"admin"})", "application/json")
                .status,
            200);
}

}  // namespace
}  // namespace arkwiki::testing
