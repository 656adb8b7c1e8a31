// A freshly installed wiki with no users restored from an off-site copy in
// the browser (/setup), over a real socket: only with the setup code the
// server printed, every refusal leaving the wiki empty, the secrets never
// shown back, and /setup gone once the wiki has a user.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "arkwiki/core/env.h"
#include "support/arkwiki_process.h"
#include "support/s3rver_fixture.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

constexpr char kPassphrase[] = "a passphrase for the nas";
constexpr char kSeededAdmin[] = "ann";  // SeedWiki's admin, password "correct horse a"
constexpr char kSeededPassword[] = "correct horse a";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The value of the first `attribute="..."` in `html`, or "".
std::string AttributeValue(const std::string& html, const std::string& attribute) {
  const std::string marker = attribute + "=\"";
  size_t pos = html.find(marker);
  if (pos == std::string::npos) return "";
  pos += marker.size();
  return html.substr(pos, html.find('"', pos) - pos);
}

class SetupRestoreWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The wiki that was lost: seeded, with a restore point copied to a
    // directory target, as `backup copy` makes one.
    SeedWikiAt(source_);
    auto point = RunArkwiki({"backup", "snapshot", "--data", source_, "--quiet"});
    ASSERT_EQ(point.exit_code, 0) << point.err;
    auto copy = RunArkwiki({"backup", "copy", "--data", source_, "--to", target_},
                           std::string(kPassphrase) + "\n");
    ASSERT_EQ(copy.exit_code, 0) << copy.err;
    auto server = StartServer(fresh_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  std::string CodeFile() const { return fresh_ + "/setup-code"; }
  std::string Code() const {
    std::string code = ReadAll(CodeFile());
    while (!code.empty() && code.back() == '\n') code.pop_back();
    return code;
  }
  HttpClient Client() { return HttpClient(server_->port()); }

  // Step 1 as a browser sends it: the form's token, then the form with
  // the directory target; `changes` replace fields.
  HttpResponse Connect(HttpClient& client, const std::map<std::string, std::string>& changes = {}) {
    std::map<std::string, std::string> form = {{"csrf", ExtractCsrf(client.Get("/setup").body)},
                                               {"code", Code()},
                                               {"kind", "directory"},
                                               {"path", target_},
                                               {"passphrase", kPassphrase}};
    for (const auto& [key, value] : changes) form[key] = value;
    return client.PostForm("/setup", form);
  }
  // Steps 2 and 3: restores the restore point the points page chose.
  HttpResponse RestoreChosen(HttpClient& client, const std::string& points_page) {
    return client.PostForm(
        "/setup/restore", {{"csrf", ExtractCsrf(points_page)},
                           {"connection", AttributeValue(points_page, "name=\"connection\" value")},
                           {"point", AttributeValue(points_page, "data-point")}});
  }
  // True while the wiki still has no users: /setup answers with its form.
  bool StillEmpty() { return Client().Get("/setup").status == 200; }
  // A file the restore reads: a loose object, or a pack (the seeded
  // wiki's files are all small enough to travel in packs).
  std::string AnyObjectFile() {
    for (const auto& file : std::filesystem::recursive_directory_iterator(target_)) {
      const std::string path = file.path().string();
      if (file.is_regular_file() &&
          (path.rfind(target_ + "/objects/", 0) == 0 || path.rfind(target_ + "/packs/", 0) == 0)) {
        return path;
      }
    }
    return "";
  }

  TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string target_ = dir_.Sub("nas");
  std::string fresh_ = dir_.Sub("fresh");
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(SetupRestoreWebTest, TheFirstAdminRestoresTheLostWikiWithTheSetupCode) {
  const std::string code = Code();
  ASSERT_EQ(code.size(), 32u) << "128 random bits as hex";
  struct stat st {};
  ASSERT_EQ(::stat(CodeFile().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_NE(ReadAll(fresh_ + ".server.log").find(code), std::string::npos)
      << "the server prints the code where it starts";
  HttpClient browser = Client();
  HttpResponse points = Connect(browser);
  ASSERT_EQ(points.status, 200) << points.body;
  EXPECT_NE(points.body.find("Choose a restore point"), std::string::npos) << points.body;
  EXPECT_FALSE(AttributeValue(points.body, "data-point").empty());
  EXPECT_EQ(points.body.find(kPassphrase), std::string::npos);
  EXPECT_EQ(points.body.find("}}"), std::string::npos) << "a template's comment leaked";
  HttpResponse done = RestoreChosen(browser, points.body);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("The wiki was restored"), std::string::npos) << done.body;
  // The source's accounts and pages are there; the code has ended.
  HttpClient ann = Client();
  EXPECT_TRUE(LoginWithForm(ann, kSeededAdmin, kSeededPassword));
  EXPECT_EQ(ann.Get("/api/pages/guide").status, 200);
  EXPECT_NE(ann.Get("/api/me").body.find("\"admin\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(CodeFile()));
  EXPECT_EQ(Client().Get("/setup").status, 404);
  EXPECT_EQ(RestoreChosen(browser, points.body).status, 404) << "no second restore";
  EXPECT_EQ(ReadAll(fresh_ + ".server.log").find(kPassphrase), std::string::npos);
}

TEST_F(SetupRestoreWebTest, AnS3TargetIsReadWithTheKeysTypedIntoTheForm) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-bucket");
  auto copy = RunArkwiki({"backup", "copy", "--data", source_, "--to", "s3://wiki-bucket/site",
                          "--endpoint", s3->endpoint()},
                         std::string(kPassphrase) + "\n",
                         {{"AWS_ACCESS_KEY_ID", S3rverProcess::kAccessKey},
                          {"AWS_SECRET_ACCESS_KEY", S3rverProcess::kSecretKey}});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  const std::map<std::string, std::string> s3_form = {{"kind", "s3"},
                                                      {"endpoint", s3->endpoint()},
                                                      {"bucket", "wiki-bucket"},
                                                      {"prefix", "site"},
                                                      {"path_style", "on"},
                                                      {"access_key_id", S3rverProcess::kAccessKey}};
  HttpClient browser = Client();
  // s3rver checks the access key, not a version 4 signature's secret.
  auto wrong_keys = s3_form;
  wrong_keys["access_key_id"] = "NOT-A-KEY";
  wrong_keys["secret_access_key"] = "not-the-secret-key";
  HttpResponse refused = Connect(browser, wrong_keys);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("The target refused"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("not-the-secret-key"), std::string::npos) << "never shown back";
  EXPECT_NE(refused.body.find("value=\"wiki-bucket\""), std::string::npos) << "the rest is";
  EXPECT_TRUE(StillEmpty());
  auto right = s3_form;
  right["secret_access_key"] = S3rverProcess::kSecretKey;
  HttpResponse points = Connect(browser, right);
  ASSERT_EQ(points.status, 200) << points.body;
  EXPECT_NE(points.body.find("s3://wiki-bucket/site"), std::string::npos) << points.body;
  HttpResponse done = RestoreChosen(browser, points.body);
  ASSERT_EQ(done.status, 200) << done.body;
  HttpClient ann = Client();
  EXPECT_TRUE(LoginWithForm(ann, kSeededAdmin, kSeededPassword));
  EXPECT_EQ(ann.Get("/api/pages/guide").status, 200);
  EXPECT_FALSE(std::filesystem::exists(CodeFile()));
}

TEST_F(SetupRestoreWebTest, AWrongCodeIsRefusedAndChangesNothing) {
  HttpClient browser = Client();
  HttpResponse refused = Connect(browser, {{"code", "0123456789abcdef0123456789abcdef"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("Wrong setup code"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find(kPassphrase), std::string::npos);
  EXPECT_EQ(refused.body.find("data-point"), std::string::npos) << "no restore point listed";
  EXPECT_EQ(Connect(browser, {{"code", ""}}).status, 403);
  EXPECT_TRUE(StillEmpty());
  EXPECT_TRUE(std::filesystem::exists(CodeFile()));
  EXPECT_FALSE(LoginWithForm(browser, kSeededAdmin, kSeededPassword));
}

TEST_F(SetupRestoreWebTest, AFormWithoutItsTokenIsRefused) {
  HttpClient browser = Client();
  HttpResponse refused = Connect(browser, {{"csrf", ""}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(StillEmpty());
}

TEST_F(SetupRestoreWebTest, AWrongPassphraseIsAClearErrorAndTheWikiStaysEmpty) {
  HttpClient browser = Client();
  HttpResponse refused = Connect(browser, {{"passphrase", "a guess"}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("wrong passphrase"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.body.find("a guess"), std::string::npos) << "never shown back";
  EXPECT_EQ(ReadAll(fresh_ + ".server.log").find("a guess"), std::string::npos) << "nor logged";
  EXPECT_NE(refused.body.find(target_), std::string::npos) << "the target is kept in the form";
  HttpResponse missing = Connect(browser, {{"path", dir_.Sub("no-such-nas")}});
  EXPECT_EQ(missing.status, 404) << missing.body;
  EXPECT_NE(missing.body.find("Could not read the restore points"), std::string::npos)
      << missing.body;
  EXPECT_TRUE(StillEmpty());
  EXPECT_TRUE(std::filesystem::exists(CodeFile()));
}

TEST_F(SetupRestoreWebTest, ATamperedObjectIsRefusedAndTheWikiStaysEmpty) {
  HttpClient browser = Client();
  HttpResponse points = Connect(browser);
  ASSERT_EQ(points.status, 200) << points.body;
  {
    std::fstream f(AnyObjectFile(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  HttpResponse refused = RestoreChosen(browser, points.body);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("nothing was changed"), std::string::npos) << refused.body;
  EXPECT_TRUE(StillEmpty());
  EXPECT_TRUE(std::filesystem::exists(CodeFile()));
}

TEST_F(SetupRestoreWebTest, SetupIsNotFoundOnceTheWikiHasAUser) {
  const std::string code = Code();
  ASSERT_FALSE(code.empty());
  ASSERT_TRUE(StillEmpty());
  auto add = RunArkwiki(
      {"user", "add", "--data", fresh_, "--name", "first", "--role", "admin", "--password-stdin"},
      "a long password\n");
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_FALSE(std::filesystem::exists(CodeFile())) << "user add ends the code";
  HttpClient browser = Client();
  EXPECT_EQ(browser.Get("/setup").status, 404);
  HttpResponse refused =
      browser.PostForm("/setup", {{"csrf", ExtractCsrf(browser.Get("/login").body)},
                                  {"code", code},
                                  {"kind", "directory"},
                                  {"path", target_},
                                  {"passphrase", kPassphrase}});
  EXPECT_EQ(refused.status, 404) << refused.body;
  EXPECT_FALSE(LoginWithForm(browser, kSeededAdmin, kSeededPassword));
  // A restart with a user makes no new code.
  ASSERT_EQ(server_->Stop(), 0);
  auto server = StartServer(fresh_);
  ASSERT_TRUE(server.ok()) << server.status().message();
  server_ = std::move(*server);
  EXPECT_EQ(Client().Get("/setup").status, 404);
  EXPECT_FALSE(std::filesystem::exists(CodeFile()));
}

}  // namespace
}  // namespace arkwiki::testing
