// Over a real socket: "Check a backup file" (POST /api/backups/verify) and
// database-only backups (POST /api/backups?only=database) and their restore.
#include <filesystem>

#include "backup_web_helpers.h"
#include "raw_socket.h"

namespace arkwiki::testing {
namespace {

class BackupPartialWebTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    SeedTheWiki();
  }
  HttpResponse ApiVerify(const std::string& zip, const std::string& role = "admin") {
    return Client(role).Request("POST", "/api/backups/verify?name=checked.zip", zip,
                                "application/zip");
  }
  // Nothing the check received or unpacked is left: no archive-* (the
  // received file) or arkwiki-* (the check's scratch copies) in tmp/, and
  // nothing in staging/.
  bool NoArchiveLeft() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(data_ + "/tmp", ec)) {
      const std::string name = e.path().filename().string();
      if (name.rfind("archive-", 0) == 0 || name.rfind("arkwiki-", 0) == 0) {
        ADD_FAILURE() << "left behind: " << e.path();
        return false;
      }
    }
    return DirEmpty(data_ + "/staging");
  }
  // The path of the docs page's one.bin on disk.
  std::string OneBinPath() {
    for (const auto& e : std::filesystem::recursive_directory_iterator(data_ + "/live/uploads")) {
      if (e.is_regular_file() && e.file_size() == 200000) return e.path().string();
    }
    return "";
  }
};

TEST_F(BackupPartialWebTest, VerifyApiReportsAGoodBackupAndDeletesTheUpload) {
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  HttpResponse r = ApiVerify(backup.body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto json = ParseJson(r.body);
  EXPECT_TRUE(json->optValue<bool>("ok", false)) << r.body;
  EXPECT_EQ(json->optValue<std::string>("file", ""), "checked.zip");
  EXPECT_EQ(json->optValue<int>("exit_code", -1), 0);
  EXPECT_EQ(json->optValue<int>("files_checked", 0), 3);  // database, settings, one upload
  auto manifest = json->getObject("manifest");
  ASSERT_TRUE(manifest) << r.body;
  EXPECT_FALSE(manifest->optValue<bool>("partial", true));
  EXPECT_EQ(manifest->getObject("counts")->optValue<int>("pages", -1), 2);
  EXPECT_TRUE(NoArchiveLeft());
}

TEST_F(BackupPartialWebTest, VerifyApiReportsEveryProblemOfADamagedFileAndDeletesIt) {
  std::string damaged = ApiBackup().body;
  ASSERT_GT(damaged.size(), 1000u);
  damaged[damaged.size() / 2] ^= 0x5a;
  for (const std::string& body : {damaged, std::string("this is not a zip file")}) {
    HttpResponse r = ApiVerify(body);
    ASSERT_EQ(r.status, 200) << r.body;
    auto json = ParseJson(r.body);
    EXPECT_FALSE(json->optValue<bool>("ok", true)) << r.body;
    EXPECT_EQ(json->optValue<int>("exit_code", -1), 3) << r.body;
    EXPECT_FALSE(json->optValue<std::string>("error", "").empty()) << r.body;
    EXPECT_EQ(json->optValue<std::string>("error_code", ""), "corruption") << r.body;
    EXPECT_TRUE(NoArchiveLeft());
  }
}

TEST_F(BackupPartialWebTest, VerifyApiDeletesAnUploadCutOffByADroppedConnection) {
  const std::string zip = ApiBackup().body;
  {
    Poco::Net::StreamSocket s = Connect(server_->port());
    SendAll(s, "POST /api/backups/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   tokens_["admin"] + "\r\nContent-Type: application/zip\r\nContent-Length: " +
                   std::to_string(zip.size()) + "\r\n\r\n" + zip.substr(0, zip.size() / 2));
    // The server is receiving it into tmp/ ...
    ASSERT_TRUE(WaitUntil([&] { return ArchivesBeingReceived(data_ + "/tmp") == 1; }));
    s.close();  // ... when the client goes away.
  }
  EXPECT_TRUE(WaitUntil([&] { return ArchivesBeingReceived(data_ + "/tmp") == 0; }))
      << "the cut-off upload stayed";
  EXPECT_TRUE(NoArchiveLeft());
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

TEST_F(BackupPartialWebTest, VerifyApiIsForAdminsAndNeedsTheCsrfTokenFromABrowser) {
  const std::string zip = ApiBackup().body;
  EXPECT_EQ(ApiVerify(zip, "editor").status, 403);
  std::string csrf;
  HttpClient browser = Browser("admin", &csrf);
  EXPECT_EQ(browser.Request("POST", "/api/backups/verify", zip, "application/zip").status, 403);
  HttpResponse r = browser.Request("POST", "/api/backups/verify", zip, "application/zip",
                                   {{"X-CSRF-Token", csrf}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ParseJson(r.body)->optValue<bool>("ok", false)) << r.body;
  EXPECT_TRUE(NoArchiveLeft());
}

TEST_F(BackupPartialWebTest, DatabaseOnlyBackupIsSmallerMarkedAndRestoresKeepingTheFiles) {
  HttpResponse full = ApiBackup();
  HttpResponse db = Client("admin").Request("POST", "/api/backups?only=database");
  ASSERT_EQ(db.status, 200) << db.body;
  EXPECT_NE(db.Header("content-disposition").find("-database-only.zip"), std::string::npos)
      << db.Header("content-disposition");
  EXPECT_LT(db.body.size() + 150000, full.body.size());  // one.bin is 200,000 random bytes
  auto checked = ParseJson(ApiVerify(db.body).body);
  ASSERT_TRUE(checked->optValue<bool>("ok", false));
  EXPECT_TRUE(checked->getObject("manifest")->optValue<bool>("partial", false));
  EXPECT_EQ(checked->getObject("manifest")->getArray("omits")->getElement<std::string>(0),
            "uploads");
  EXPECT_EQ(Client("admin").Request("POST", "/api/backups?only=uploads").status, 400);

  ChangeTheWiki();
  HttpResponse r = ApiRestore(db.body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(ParseJson(r.body)->getObject("manifest")->optValue<bool>("partial", false));
  EXPECT_EQ(AlphaText(), "version one");
  EXPECT_EQ(Client("admin").Get("/api/pages/beta").status, 404);
  EXPECT_EQ(Client().Get("/files/docs/one.bin").body, RandomBytes(200000, 3));
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupPartialWebTest, RestoreOfADatabaseOnlyBackupLackingFilesIsRefusedUnlessAllowed) {
  HttpResponse db = Client("admin").Request("POST", "/api/backups?only=database");
  ASSERT_EQ(db.status, 200);
  const std::string one_bin = OneBinPath();
  ASSERT_FALSE(one_bin.empty());
  ASSERT_TRUE(std::filesystem::remove(one_bin));  // this wiki lost the file

  HttpResponse dry = ApiRestore(db.body, "?dry_run=1");
  ASSERT_EQ(dry.status, 200) << dry.body;
  auto missing = ParseJson(dry.body)->getObject("preview")->getObject("missing_uploads");
  ASSERT_TRUE(missing) << dry.body;
  EXPECT_EQ(missing->optValue<int>("count", -1), 1);
  auto first = missing->getArray("files")->getObject(0);
  EXPECT_EQ(first->optValue<std::string>("page", ""), "docs");
  EXPECT_EQ(first->optValue<std::string>("name", ""), "one.bin");

  HttpResponse refused = ApiRestore(db.body);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("docs/one.bin"), std::string::npos) << refused.body;
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));

  HttpResponse accepted = ApiRestore(db.body, "?allow_missing_uploads=1");
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Client().Get("/files/docs/one.bin").status, 404);
  EXPECT_EQ(AlphaText(), "version one");
  // The wiki is whole again: a full backup of it checks out.
  EXPECT_TRUE(ParseJson(ApiVerify(ApiBackup().body).body)->optValue<bool>("ok", false));
}

}  // namespace
}  // namespace arkwiki::testing
