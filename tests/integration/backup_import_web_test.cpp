// Import Backup over a real socket: the JSON API (dry run, refusal of a
// damaged archive, full restore), the browser flow (upload, preview,
// confirmation, progress, result, cancel) and Undo.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <cstdio>

#include "backup_web_helpers.h"
#include "hostile_rows.h"
#include "raw_socket.h"

namespace arkwiki::testing {
namespace {

class BackupImportWebTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    SeedTheWiki();
    if (HasFatalFailure()) return;
    HttpResponse r = ApiBackup();
    ASSERT_EQ(r.status, 200);
    backup_ = r.body;
  }
  std::string backup_;
};

TEST_F(BackupImportWebTest, DryRunReturnsThePreviewAndChangesNothing) {
  ChangeTheWiki();
  const std::string before = VisibleState();
  HttpResponse r = ApiRestore(backup_, "?dry_run=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseJson(r.body);
  EXPECT_EQ(body->optValue<std::string>("status", ""), "ok");
  EXPECT_TRUE(body->optValue<bool>("dry_run", false));
  auto preview = body->getObject("preview");
  ASSERT_TRUE(preview);
  auto backup = preview->getObject("backup");
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->optValue<std::string>("site_title", ""), "arkwiki");
  EXPECT_FALSE(backup->optValue<std::string>("created_at", "").empty());
  EXPECT_FALSE(backup->optValue<std::string>("app_version", "").empty());
  EXPECT_EQ(backup->optValue<int>("format_version", 0), 1);
  EXPECT_GT(backup->optValue<int>("schema_version", 0), 0);
  EXPECT_EQ(backup->getObject("counts")->optValue<int>("uploads", -1), 1);
  EXPECT_EQ(preview->getObject("current")->getObject("counts")->optValue<int>("uploads", -1), 2);
  EXPECT_EQ(VisibleState(), before);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupImportWebTest, DamagedArchiveIs422AndTheWikiIsUntouched) {
  ChangeTheWiki();
  const std::string before = VisibleState();
  std::string damaged = backup_;
  damaged[damaged.size() / 2] ^= 0x5a;
  for (const std::string& body :
       {damaged, std::string("this is not a zip file"), backup_.substr(0, backup_.size() - 100)}) {
    HttpResponse r = ApiRestore(body);
    EXPECT_EQ(r.status, 422) << r.body;
    auto json = ParseJson(r.body);
    EXPECT_FALSE(json->optValue<std::string>("error", "").empty()) << r.body;
    EXPECT_FALSE(json->optValue<std::string>("code", "").empty()) << r.body;
    EXPECT_EQ(VisibleState(), before);
    EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  }
  EXPECT_EQ(AlphaText(), "version two");
}

// Every refusal of an archive's content is 422, whatever the defect: paths,
// links and names as much as checksums, manifests and databases. A request
// that is malformed in itself (no file in the form) stays 400.
TEST_F(BackupImportWebTest, EveryHostileArchiveIs422OverTheApiAndTheBrowser) {
  const std::string before = VisibleState();
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile")) {
    const std::string name = entry.path().filename().string();
    // "over-*" archives exceed caps that only their own tests lower.
    if (entry.path().extension() != ".zip" || name.rfind("over-", 0) == 0) continue;
    // Those an import neutralises instead of refusing are imported.
    const auto rebuilt = fixture::RebuiltTampers();
    if (std::any_of(rebuilt.begin(), rebuilt.end(),
                    [&](const fixture::RebuiltTamper& t) { return t.name + ".zip" == name; })) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    HttpResponse api = ApiRestore(bytes);
    EXPECT_EQ(api.status, 422) << name << ": " << api.body;
    HttpResponse page = admin.Request("POST", "/settings/backup/import?csrf=" + csrf, bytes,
                                      "application/zip", {{"Accept", "application/json"}});
    EXPECT_EQ(page.status, 422) << name << ": " << page.body;
    ++checked;
  }
  EXPECT_GT(checked, 20);
  EXPECT_EQ(VisibleState(), before);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  HttpResponse no_file = admin.Request("POST", "/settings/backup/import?csrf=" + csrf,
                                       MultipartBody("XyZbOuNdArY", "other", "b.zip", "x"),
                                       "multipart/form-data; boundary=XyZbOuNdArY");
  EXPECT_EQ(no_file.status, 400) << no_file.body;
}

TEST_F(BackupImportWebTest, OverTheImportLimitIs413) {
  ASSERT_EQ(Client("admin")
                .Request("PUT", "/api/settings", R"({"import_max_bytes":1000})", "application/json")
                .status,
            200);
  HttpResponse r = ApiRestore(backup_);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_NE(r.body.find("import limit"), std::string::npos);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

// Streams `total` bytes of junk as an import body, 1 MiB at a time.
int StreamJunkImport(int port, const std::string& token, uint64_t total) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(300, 0));
  Poco::Net::HTTPRequest rq("POST", "/api/restore?dry_run=1", "HTTP/1.1");
  rq.set("Authorization", "Bearer " + token);
  rq.setContentType("application/zip");
  rq.setContentLength64(static_cast<Poco::Int64>(total));
  std::ostream& out = session.sendRequest(rq);
  std::string chunk(1 << 20, 'z');
  for (uint64_t sent = 0; sent < total; sent += chunk.size()) {
    out.write(chunk.data(),
              static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), total - sent)));
  }
  Poco::Net::HTTPResponse rs;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(rs), body);
  return rs.getStatus();
}

TEST_F(BackupImportWebTest, LargeUploadStreamsToDiskWithFlatMemory) {
  const long before = server_->RssKiB();
  EXPECT_EQ(StreamJunkImport(server_->port(), tokens_["admin"], 200ull << 20), 422);
  const long growth_mib = (server_->PeakRssKiB() - before) / 1024;
  std::printf("[ measure ] import upload of 200 MiB: RSS before %ld KiB, growth %ld MiB\n", before,
              growth_mib);
  EXPECT_LT(growth_mib, 32) << "server memory grew with the upload size";
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupImportWebTest, ImportCutOffByADroppedConnectionLeavesNothingAndChangesNothing) {
  ChangeTheWiki();
  const std::string before = VisibleState();
  {
    Poco::Net::StreamSocket s = Connect(server_->port());
    SendAll(s, "POST /api/restore HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   tokens_["admin"] + "\r\nContent-Type: application/zip\r\nContent-Length: " +
                   std::to_string(backup_.size()) + "\r\n\r\n" +
                   backup_.substr(0, backup_.size() / 2));
    // The server is receiving the import into staging/ ...
    ASSERT_TRUE(WaitUntil([&] { return ArchivesBeingReceived(data_ + "/staging") == 1; }));
    s.close();  // ... when the client goes away.
  }
  EXPECT_TRUE(WaitUntil([&] { return ArchivesBeingReceived(data_ + "/staging") == 0; }))
      << "the cut-off upload stayed";
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  EXPECT_EQ(VisibleState(), before);
  // Nothing stays claimed: the next import runs (no 409) and restores.
  HttpResponse r = ApiRestore(backup_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(AlphaText(), "version one");
}

// Uploads of a megabyte or more arrive as pieces of their own (the
// receiver splits the archive) and become the restored files; nothing is
// left in staging/.
TEST_F(BackupImportWebTest, LargeUploadsArriveSplitAndAreRestoredWhole) {
  const std::string media = RandomBytes(3 << 20, 9);
  const std::string more = RandomBytes((1 << 20) + 1, 10);
  ASSERT_EQ(UploadFile("docs", "media.bin", media).status, 201);
  ASSERT_EQ(UploadFile("docs", "more.bin", more).status, 201);
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  ChangeTheWiki();
  HttpResponse r = ApiRestore(backup.body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(AlphaText(), "version one");
  EXPECT_TRUE(Client().Get("/files/docs/media.bin").body == media);
  EXPECT_TRUE(Client().Get("/files/docs/more.bin").body == more);
  EXPECT_EQ(Client().Get("/files/docs/one.bin").body, RandomBytes(200000, 3));
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupImportWebTest, RestoreOverTheApiBringsTheBackupBack) {
  ChangeTheWiki();
  HttpResponse r = ApiRestore(backup_);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseJson(r.body);
  EXPECT_EQ(body->optValue<std::string>("status", ""), "restored");
  const std::string point = body->optValue<std::string>("safety_point", "");
  EXPECT_FALSE(point.empty()) << r.body;
  EXPECT_EQ(body->optValue<std::string>("safety_backup", ""), "restore point " + point);
  EXPECT_GE(body->optValue<double>("unavailable_ms", -1), 0);
  EXPECT_LT(body->optValue<double>("unavailable_ms", 1e9), 1000);
  RecordProperty("unavailable_ms", std::to_string(body->optValue<double>("unavailable_ms", -1)));
  EXPECT_EQ(body->getObject("counts")->optValue<int>("uploads", -1), 1);
  EXPECT_EQ(AlphaText(), "version one");
  EXPECT_EQ(Client("admin").Get("/api/pages/beta").status, 404);
  EXPECT_EQ(Client().Get("/files/docs/two.bin").status, 404);
  EXPECT_EQ(Client().Get("/files/docs/one.bin").body, RandomBytes(200000, 3));
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  EXPECT_NE(Client("admin").Get("/api/audit").body.find("backup.import"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

TEST_F(BackupImportWebTest, BrowserImportPreviewConfirmAndResult) {
  ChangeTheWiki();
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse up =
      admin.Request("POST", "/settings/backup/import?name=mine.zip", backup_, "application/zip",
                    {{"X-CSRF-Token", csrf}, {"Accept", "application/json"}});
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string preview_url = ParseJson(up.body)->optValue<std::string>("preview_url", "");
  ASSERT_EQ(preview_url.rfind("/settings/backup/import/", 0), 0u) << up.body;
  HttpResponse preview = admin.Get(preview_url);
  ASSERT_EQ(preview.status, 200);
  EXPECT_NE(preview.body.find("ALL current data will be replaced"), std::string::npos);
  EXPECT_NE(preview.body.find("In this wiki now"), std::string::npos);
  EXPECT_EQ(preview.body.find("}}"), std::string::npos) << "a template tag leaked";
  EXPECT_EQ(AlphaText(), "version two");  // nothing changed yet

  const std::string confirm = preview_url + "/confirm";
  EXPECT_EQ(
      admin.PostForm(confirm, {{"csrf", csrf}, {"site_title", "wrong"}, {"password", kPassword}})
          .status,
      400);
  EXPECT_EQ(
      admin.PostForm(confirm, {{"csrf", csrf}, {"site_title", "arkwiki"}, {"password", "wrong"}})
          .status,
      401);
  EXPECT_EQ(admin.PostForm(confirm, {{"site_title", "arkwiki"}, {"password", kPassword}}).status,
            403);  // no CSRF token
  EXPECT_EQ(AlphaText(), "version two");
  HttpResponse go =
      admin.PostForm(confirm, {{"csrf", csrf}, {"site_title", "arkwiki"}, {"password", kPassword}});
  ASSERT_EQ(go.status, 202) << go.body;
  const std::string id = JobIdFromPage(go.body);
  ASSERT_FALSE(id.empty());
  auto job = WaitForJob(admin, id);
  EXPECT_EQ(job->optValue<std::string>("state", ""), "done")
      << job->optValue<std::string>("message", "");
  EXPECT_FALSE(job->optValue<bool>("must_log_in_again", true));
  HttpResponse result = admin.Get(preview_url + "/result");
  ASSERT_EQ(result.status, 200);
  EXPECT_NE(result.body.find("The backup was restored"), std::string::npos);
  EXPECT_NE(result.body.find("restore point "), std::string::npos);
  EXPECT_NE(result.body.find(" ms during the swap"), std::string::npos);
  EXPECT_EQ(result.body.find("}}"), std::string::npos) << "a template tag leaked";
  EXPECT_EQ(go.body.find("}}"), std::string::npos) << "a template tag leaked";
  EXPECT_EQ(AlphaText(), "version one");
  EXPECT_NE(Client("admin").Get("/api/audit").body.find("mine.zip"), std::string::npos);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(BackupImportWebTest, MultipartUploadWithoutJavaScriptAndCancel) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse up = admin.Request("POST", "/settings/backup/import?csrf=" + csrf,
                                  MultipartBody("XyZbOuNdArY", "file", "b.zip", backup_),
                                  "multipart/form-data; boundary=XyZbOuNdArY");
  ASSERT_EQ(up.status, 303) << up.body;
  const std::string preview_url = up.Header("location");
  EXPECT_EQ(admin.Get(preview_url).status, 200);
  EXPECT_FALSE(DirEmpty(data_ + "/staging"));
  HttpResponse cancel = admin.PostForm(preview_url + "/cancel", {{"csrf", csrf}});
  EXPECT_EQ(cancel.status, 303);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  EXPECT_EQ(admin.Get(preview_url).status, 404);
  HttpResponse bad = admin.Request("POST", "/settings/backup/import?csrf=" + csrf,
                                   MultipartBody("XyZbOuNdArY", "file", "b.zip", "junk"),
                                   "multipart/form-data; boundary=XyZbOuNdArY");
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("Cannot use this file"), std::string::npos);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  // The form's CSRF token travels in the query string; the access log
  // must not keep it.
  EXPECT_EQ(server_->LogTail(1 << 20).find(csrf), std::string::npos);
  EXPECT_NE(server_->LogTail(1 << 20).find("/settings/backup/import?csrf=-"), std::string::npos);
}

TEST_F(BackupImportWebTest, UndoBringsBackTheStateBeforeTheImport) {
  ChangeTheWiki();
  ASSERT_EQ(ApiRestore(backup_).status, 200);
  ASSERT_EQ(AlphaText(), "version one");
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  EXPECT_NE(admin.Get("/settings/backup").body.find("Undo last import"), std::string::npos);
  UndoInBrowserBringsBackTheChangedWiki(admin, csrf);
  if (HasFatalFailure()) return;
  EXPECT_NE(Client("admin").Get("/api/audit").body.find("backup.undo"), std::string::npos);
}

TEST_F(BackupImportWebTest, AdminMissingFromTheBackupIsToldToLogInAgain) {
  ASSERT_EQ(Client("admin")
                .Request("POST", "/api/users",
                         std::string(R"({"name":"boss","role":"admin","password":")") + kPassword +
                             R"("})",
                         "application/json")
                .status,
            201);
  std::string csrf;
  HttpClient boss = Browser("boss", &csrf);
  HttpResponse up = boss.Request("POST", "/settings/backup/import", backup_, "application/zip",
                                 {{"X-CSRF-Token", csrf}, {"Accept", "application/json"}});
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string preview_url = ParseJson(up.body)->optValue<std::string>("preview_url", "");
  HttpResponse go =
      boss.PostForm(preview_url + "/confirm",
                    {{"csrf", csrf}, {"site_title", "arkwiki"}, {"password", kPassword}});
  ASSERT_EQ(go.status, 202) << go.body;
  const std::string id = JobIdFromPage(go.body);
  int last = 0;  // 200 running, 503 swapping, then 401
  WaitUntil([&] { return (last = boss.Get("/api/restore/status?job=" + id).status) == 401; });
  EXPECT_EQ(last, 401) << "boss is not in the backup, so the session ended";
  HttpClient admin = Browser("admin", &csrf);
  auto job = WaitForJob(admin, id);
  EXPECT_EQ(job->optValue<std::string>("state", ""), "done");
  EXPECT_TRUE(job->optValue<bool>("must_log_in_again", false));
  HttpResponse result = admin.Get(preview_url + "/result");
  ASSERT_EQ(result.status, 200);
  EXPECT_NE(result.body.find("<strong>boss</strong>, is not in the restored data"),
            std::string::npos);
  EXPECT_NE(result.body.find("/login?next="), std::string::npos);
}

}  // namespace
}  // namespace arkwiki::testing
