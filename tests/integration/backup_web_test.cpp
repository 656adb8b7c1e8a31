// Settings → Backup & Import over a real socket: who may use it, the
// streamed download, the audit record, one operation at a time, and what a
// client that disconnects leaves behind.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <regex>

#include "arkwiki/core/hash.h"
#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

class BackupWebTest : public BackupWebFixture {};

TEST_F(BackupWebTest, AdminSeesWhatABackupHoldsAndTheForms) {
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"one"})").status, 201);
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse page = admin.Get("/settings/backup");
  ASSERT_EQ(page.status, 200) << page.body;
  for (const char* text : {"Create Backup", "action=\"/settings/backup/create\"", "hashed",
                           "Login sessions are not included", "id=\"import-file\"",
                           "ALL current data", "/assets/backup.js", "Restore points", "Back up now",
                           "Undo last import", "<dt>Pages</dt>"}) {
    EXPECT_NE(page.body.find(text), std::string::npos) << text;
  }
  EXPECT_NE(page.body.find("value=\"" + csrf + "\""), std::string::npos);
  EXPECT_EQ(page.body.find("}}"), std::string::npos) << "a template tag leaked";
  EXPECT_NE(admin.Get("/settings").body.find("href=\"/settings/backup\""), std::string::npos);
  HttpResponse js = Client().Get("/assets/backup.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.Header("content-type").find("javascript"), std::string::npos);
}

TEST_F(BackupWebTest, EveryoneButAdminsIsRefused) {
  // Anonymous: the API says 401, browser GETs go to the login page.
  EXPECT_EQ(Client().Request("POST", "/api/backups").status, 401);
  EXPECT_EQ(Client().Request("POST", "/api/restore", "PK", "application/zip").status, 401);
  EXPECT_EQ(Client().Get("/api/restore/status?job=x").status, 401);
  EXPECT_EQ(Client().Request("POST", "/settings/backup/create").status, 401);
  HttpResponse anon = Client().Get("/settings/backup");
  EXPECT_EQ(anon.status, 303);
  EXPECT_EQ(anon.Header("location").rfind("/login", 0), 0u);
  for (const char* role : {"reader", "editor"}) {
    SCOPED_TRACE(role);
    EXPECT_EQ(ApiBackup(role).status, 403);
    EXPECT_EQ(ApiRestore("PK", "", role).status, 403);
    EXPECT_EQ(ApiRestore("PK", "?dry_run=1", role).status, 403);
    EXPECT_EQ(Client(role).Get("/api/restore/status?job=x").status, 403);
    std::string csrf;
    HttpClient browser = Browser(role, &csrf);
    ASSERT_FALSE(csrf.empty());
    EXPECT_EQ(browser.Get("/settings/backup").status, 403);
    EXPECT_EQ(browser.PostForm("/settings/backup/create", {{"csrf", csrf}}).status, 403);
    EXPECT_EQ(browser.PostForm("/settings/backup/undo", {{"csrf", csrf}}).status, 403);
    EXPECT_EQ(browser
                  .Request("POST", "/settings/backup/import", "PK", "application/zip",
                           {{"X-CSRF-Token", csrf}})
                  .status,
              403);
    for (const char* path : {"/", "/preferences", "/pages"}) {
      HttpResponse r = browser.Get(path);
      EXPECT_EQ(r.body.find("/settings/backup"), std::string::npos) << path;
      EXPECT_EQ(r.body.find("href=\"/settings\""), std::string::npos) << path;
    }
  }
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupWebTest, ApiBackupStreamsAVerifiableZipAndIsAudited) {
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"one"})").status, 201);
  ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Docs","markdown":"files"})").status, 201);
  ASSERT_EQ(UploadFile("docs", "a.bin", RandomBytes(300000, 1)).status, 201);
  HttpResponse r = ApiBackup();
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/zip");
  EXPECT_EQ(r.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(r.Header("content-length"), "");
  EXPECT_TRUE(std::regex_match(
      r.Header("content-disposition"),
      std::regex(R"(attachment; filename="arkwiki-backup-arkwiki-\d{4}-\d{2}-\d{2}T\d{6}Z\.zip")")))
      << r.Header("content-disposition");
  const std::string file = dir_.Sub("download.zip");
  WriteFile(file, r.body);
  auto verify = RunArkwiki({"backup", "verify", file});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_TRUE(DirEmpty(data_ + "/tmp"));

  HttpResponse audit = Client("admin").Get("/api/audit");
  ASSERT_EQ(audit.status, 200);
  const size_t at = audit.body.find("backup.create");
  ASSERT_NE(at, std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find(std::to_string(r.body.size()) + " bytes"), std::string::npos);
  EXPECT_NE(audit.body.find("sha256 " + Sha256Hex(r.body)), std::string::npos) << audit.body;
}

TEST_F(BackupWebTest, BrowserBackupNeedsTheFormTokenAndDownloads) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  EXPECT_EQ(admin.PostForm("/settings/backup/create", {}).status, 403);
  HttpResponse r = admin.PostForm("/settings/backup/create", {{"csrf", csrf}});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "application/zip");
  EXPECT_EQ(r.body.substr(0, 2), "PK");
  EXPECT_NE(admin.Get("/settings/backup").body.find("backup.create"), std::string::npos);
}

TEST_F(BackupWebTest, BackupFailingMidStreamEndsTheDownloadBroken) {
  ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Docs","markdown":"files"})").status, 201);
  // 16 MiB: more than the archive writer holds in memory before it sends
  // (six 1 MiB blocks), so the headers and the first megabytes have surely
  // gone out by the time the writer reaches the end of the upload. With a
  // smaller file the whole archive could still be in those blocks when the
  // mismatch is found, and the client would get a plain error status.
  HttpResponse up = UploadFile("docs", "f.bin", RandomBytes(16 << 20, 9));
  ASSERT_EQ(up.status, 201);
  // Damage the stored upload: the writer notices its hash no longer matches
  // when it has read the whole file.
  const std::string sha = ParseJson(up.body)->optValue<std::string>("sha256", "");
  const std::string stored = data_ + "/live/uploads/" + sha.substr(0, 2) + "/" + sha;
  std::filesystem::permissions(stored, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::fstream f(stored, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 << 20);
    f.write("XX", 2);
  }
  HttpResponse r = ApiBackup();
  const std::string file = dir_.Sub("broken.zip");
  WriteFile(file, r.body);
  // Either the client sees the transfer fail (no final chunk), or at the
  // very least the file it kept does not verify.
  EXPECT_TRUE(r.status != 200 || RunArkwiki({"backup", "verify", file}).exit_code != 0) << r.status;
  EXPECT_TRUE(DirEmpty(data_ + "/tmp"));
  EXPECT_EQ(Client("admin").Get("/api/audit").body.find("backup.create"), std::string::npos);
  EXPECT_NE(server_->LogTail(1 << 20).find("failed after"), std::string::npos);
  EXPECT_EQ(Client("admin").Get("/api/health").status, 200);
}

// A download held open by a client that does not read: the backup blocks in
// its writes, holding the one-operation lock. 32 MiB of incompressible data
// is far more than the loopback socket buffers, so this is deterministic.
class BackupWebStallTest : public BackupWebTest {
 protected:
  void SetUp() override {
    BackupWebTest::SetUp();
    ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Docs","markdown":"files"})").status, 201);
    ASSERT_EQ(UploadFile("docs", "big.bin", RandomBytes(32 << 20, 7)).status, 201);
  }
  void StartStalledDownload() {
    session_ = std::make_unique<Poco::Net::HTTPClientSession>(
        "127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest rq("POST", "/api/backups", Poco::Net::HTTPMessage::HTTP_1_1);
    rq.set("Authorization", "Bearer " + tokens_["admin"]);
    rq.setContentLength64(0);
    session_->sendRequest(rq);
    Poco::Net::HTTPResponse rs;
    std::istream& in = session_->receiveResponse(rs);
    ASSERT_EQ(rs.getStatus(), 200);
    std::string first(65536, '\0');
    in.read(first.data(), static_cast<std::streamsize>(first.size()));
    ASSERT_EQ(first.substr(0, 2), "PK");
  }
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

TEST_F(BackupWebStallTest, SecondBackupOrImportWhileOneRunsGets409) {
  StartStalledDownload();
  HttpResponse second = ApiBackup();
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_NE(second.body.find("another backup or import is running"), std::string::npos);
  EXPECT_EQ(ApiRestore("PK\x03\x04", "?dry_run=1").status, 409);
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse page = admin.PostForm("/settings/backup/create", {{"csrf", csrf}});
  EXPECT_EQ(page.status, 409);
  EXPECT_NE(page.body.find("another backup or import is running"), std::string::npos);
  session_->abort();
}

TEST_F(BackupWebStallTest, ClientDisconnectMidDownloadFreesEverything) {
  StartStalledDownload();
  EXPECT_FALSE(DirEmpty(data_ + "/tmp"));  // the database snapshot, while streaming
  session_->abort();
  EXPECT_TRUE(WaitUntil([&] { return DirEmpty(data_ + "/tmp"); }))
      << TreeFingerprint(data_ + "/tmp");
  HttpResponse next;
  // The lock is free again once the writer gave up.
  EXPECT_TRUE(WaitUntil([&] { return (next = ApiBackup()).status != 409; }));
  EXPECT_EQ(next.status, 200);
  EXPECT_TRUE(DirEmpty(data_ + "/tmp"));
  HttpResponse audit = Client("admin").Get("/api/audit");
  EXPECT_EQ(audit.body.find("backup.create"), audit.body.rfind("backup.create"))
      << "only the complete backup is audited";
  EXPECT_NE(server_->LogTail(1 << 20).find("failed after"), std::string::npos);
}

}  // namespace
}  // namespace arkwiki::testing
