// Restore points over a real socket: the JSON API (create, list, download,
// dry run, restore and undo, check, delete, refusals), the safety point an
// import makes, the Settings page's forms and the backup part of
// GET /api/health.
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <chrono>
#include <set>
#include <thread>

#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

class RestorePointsWebTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    SeedTheWiki();
    if (HasFatalFailure()) return;
  }
  // POST /api/restore-points; the new point's JSON.
  Poco::JSON::Object::Ptr CreatePoint(const std::string& body = "") {
    HttpResponse r = Client("admin").Request("POST", "/api/restore-points", body,
                                             body.empty() ? "" : "application/json");
    EXPECT_EQ(r.status, 201) << r.body;
    return ParseJson(r.body);
  }
  Poco::JSON::Array::Ptr ListPoints() {
    HttpResponse r = Client("admin").Get("/api/restore-points");
    EXPECT_EQ(r.status, 200) << r.body;
    auto list = ParseJson(r.body)->getArray("restore_points");
    return list ? list : Poco::JSON::Array::Ptr(new Poco::JSON::Array);
  }
  // The newest entry of `event` in GET /api/backup-journal, waiting for
  // one to appear (a background job writes it); null after 120 s.
  Poco::JSON::Object::Ptr WaitForJournalEntry(const std::string& event) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpResponse r = Client("admin").Get("/api/backup-journal?limit=20");
      EXPECT_EQ(r.status, 200) << r.body;
      auto entries = ParseJson(r.body)->getArray("entries");
      for (size_t i = 0; entries && i < entries->size(); ++i) {
        if (entries->getObject(i)->optValue<std::string>("event", "") == event) {
          return entries->getObject(i);
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return nullptr;
  }
  Poco::JSON::Object::Ptr BackupHealth() {
    auto health = ParseJson(Client().Get("/api/health").body)->getObject("backup");
    return health ? health : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
  }
  // The path of the loose object `sha256` (objects/ab/<sha256>).
  std::string ObjectPath(const std::string& sha256) {
    return data_ + "/backups/objects/" + sha256.substr(0, 2) + "/" + sha256;
  }
};

TEST_F(RestorePointsWebTest, CreateListAndDownloadAVerifiedArchive) {
  auto point = CreatePoint(R"({"label":"before the move"})");
  const std::string id = point->optValue<std::string>("id", "");
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(point->optValue<std::string>("trigger", ""), "manual");
  EXPECT_EQ(point->optValue<std::string>("made_by", ""), "admin");
  EXPECT_EQ(point->optValue<std::string>("label", ""), "before the move");
  EXPECT_GT(point->optValue<int64_t>("total_bytes", 0), 200000);
  EXPECT_GT(point->optValue<int64_t>("new_bytes", 0), 200000);
  EXPECT_GE(point->optValue<int64_t>("file_count", 0), 3);
  EXPECT_GT(point->optValue<int64_t>("created_unix", 0), 0);
  EXPECT_EQ(point->optValue<std::string>("created", "").back(), 'Z');
  ASSERT_TRUE(point->getObject("check"));
  // A second one adds only what changed: nothing but the database.
  auto second = CreatePoint();
  EXPECT_LT(second->optValue<int64_t>("new_bytes", 1 << 30), 200000);
  auto list = ListPoints();
  ASSERT_EQ(list->size(), 2u);
  // Newest first. Ids (and times) have whole seconds, so two points made
  // in the same second may come in either order.
  EXPECT_GE(list->getObject(0)->optValue<int64_t>("created_unix", 0),
            list->getObject(1)->optValue<int64_t>("created_unix", 0));
  const std::set<std::string> ids = {list->getObject(0)->optValue<std::string>("id", ""),
                                     list->getObject(1)->optValue<std::string>("id", "")};
  EXPECT_EQ(ids, (std::set<std::string>{id, second->optValue<std::string>("id", "")}));

  HttpResponse zip = Client("admin").Get("/api/restore-points/" + id + "/archive");
  ASSERT_EQ(zip.status, 200) << zip.body;
  EXPECT_EQ(zip.Header("content-type"), "application/zip");
  const std::string disposition = zip.Header("content-disposition");
  EXPECT_NE(disposition.find("attachment; filename=\"arkwiki-backup-"), std::string::npos)
      << disposition;
  const std::string path = dir_.Sub("point.zip");
  WriteFile(path, zip.body);
  auto verify = RunArkwiki({"backup", "verify", path});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(Client("admin").Get("/api/audit").body.find("backup.snapshot"), std::string::npos);
  EXPECT_EQ(BackupHealth()->optValue<std::string>("status", ""), "ok");
}

TEST_F(RestorePointsWebTest, DryRunPreviewsAndChangesNothing) {
  const std::string id = CreatePoint()->optValue<std::string>("id", "");
  ChangeTheWiki();
  const std::string before = VisibleState();
  HttpResponse r =
      Client("admin").Request("POST", "/api/restore-points/" + id + "/restore?dry_run=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseJson(r.body);
  EXPECT_TRUE(body->optValue<bool>("dry_run", false));
  auto preview = body->getObject("preview");
  ASSERT_TRUE(preview);
  EXPECT_EQ(preview->getObject("backup")->getObject("counts")->optValue<int>("uploads", -1), 1);
  EXPECT_EQ(preview->getObject("current")->getObject("counts")->optValue<int>("uploads", -1), 2);
  EXPECT_EQ(VisibleState(), before);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(RestorePointsWebTest, RestoreMakesASafetyPointThatUndoBringsBack) {
  const std::string id = CreatePoint()->optValue<std::string>("id", "");
  ChangeTheWiki();
  HttpResponse r = Client("admin").Request("POST", "/api/restore-points/" + id + "/restore");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseJson(r.body);
  EXPECT_EQ(body->optValue<std::string>("status", ""), "restored");
  const std::string safety = body->optValue<std::string>("safety_point", "");
  ASSERT_FALSE(safety.empty()) << r.body;
  EXPECT_EQ(AlphaText(), "version one");
  EXPECT_EQ(Client("admin").Get("/api/pages/beta").status, 404);
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
  EXPECT_FALSE(std::filesystem::exists(data_ + "/safety") && !DirEmpty(data_ + "/safety"));

  auto list = ListPoints();
  ASSERT_EQ(list->size(), 2u);
  Poco::JSON::Object::Ptr made;
  for (size_t i = 0; i < list->size(); ++i) {
    if (list->getObject(i)->optValue<std::string>("id", "") == safety) made = list->getObject(i);
  }
  ASSERT_TRUE(made) << "the safety point is not listed";
  EXPECT_EQ(made->optValue<std::string>("trigger", ""), "before-import");
  EXPECT_EQ(made->optValue<std::string>("made_by", ""), "admin");

  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  UndoInBrowserBringsBackTheChangedWiki(admin, csrf);
  if (HasFatalFailure()) return;
  EXPECT_EQ(ListPoints()->size(), 3u);  // the undo kept what it replaced too
}

TEST_F(RestorePointsWebTest, ImportOfAnUploadedArchiveMakesABeforeImportPoint) {
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  ChangeTheWiki();
  HttpResponse r = ApiRestore(backup.body);
  ASSERT_EQ(r.status, 200) << r.body;
  auto list = ListPoints();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->getObject(0)->optValue<std::string>("trigger", ""), "before-import");
  EXPECT_EQ(list->getObject(0)->optValue<std::string>("id", ""),
            ParseJson(r.body)->optValue<std::string>("safety_point", "?"));
  EXPECT_EQ(AlphaText(), "version one");
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse undo = admin.PostForm("/settings/backup/undo", {{"csrf", csrf}});
  ASSERT_EQ(undo.status, 202) << undo.body;
  auto job = WaitForJob(admin, JobIdFromPage(undo.body));
  EXPECT_EQ(job->optValue<std::string>("state", ""), "done");
  EXPECT_EQ(AlphaText(), "version two");
}

TEST_F(RestorePointsWebTest, DeleteUnknownAndRefusals) {
  const std::string id = CreatePoint()->optValue<std::string>("id", "");
  EXPECT_EQ(Client("admin").Request("DELETE", "/api/restore-points/20200101T000000Z-abcdef").status,
            404);
  EXPECT_EQ(Client("admin").Get("/api/restore-points/nope/archive").status, 404);
  EXPECT_EQ(Client("admin").Request("POST", "/api/restore-points/nope/restore?dry_run=1").status,
            404);
  EXPECT_EQ(Client("admin").Request("POST", "/api/restore-points/nope/check").status, 404);
  for (const char* role : {"editor", "reader"}) {
    EXPECT_EQ(Client(role).Get("/api/restore-points").status, 403);
    EXPECT_EQ(Client(role).Request("POST", "/api/restore-points").status, 403);
    EXPECT_EQ(Client(role).Request("DELETE", "/api/restore-points/" + id).status, 403);
  }
  EXPECT_EQ(Client().Get("/api/restore-points").status, 401);
  // A browser session needs the CSRF token, and for a delete a password or
  // a recent login; a wrong password is refused.
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  EXPECT_EQ(admin.Request("DELETE", "/api/restore-points/" + id).status, 403);
  EXPECT_EQ(admin
                .Request("DELETE", "/api/restore-points/" + id, "", "",
                         {{"X-CSRF-Token", csrf}, {"X-Confirm-Password", "wrong"}})
                .status,
            401);
  EXPECT_EQ(ListPoints()->size(), 1u);
  HttpResponse gone = Client("admin").Request("DELETE", "/api/restore-points/" + id);
  EXPECT_EQ(gone.status, 204) << gone.body;
  EXPECT_EQ(ListPoints()->size(), 0u);
  EXPECT_EQ(Client("admin").Request("DELETE", "/api/restore-points/" + id).status, 404);
}

TEST_F(RestorePointsWebTest, CheckFindsADamagedObjectAndHealthSaysFailing) {
  auto point = CreatePoint();
  const std::string id = point->optValue<std::string>("id", "");
  HttpResponse ok = Client("admin").Request("POST", "/api/restore-points/" + id + "/check");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ParseJson(ok.body)->getObject("check")->optValue<std::string>("state", ""), "passed");
  // Damage the stored copy of one.bin: a damaged loose copy, which takes
  // precedence over the intact one in its pack (docs/backup-repository.md).
  auto uploads = ParseJson(Client().Get("/api/pages/docs/uploads").body)->getArray("uploads");
  ASSERT_TRUE(uploads && uploads->size() == 1);
  const std::string sha = uploads->getObject(0)->optValue<std::string>("sha256", "");
  ASSERT_FALSE(sha.empty());
  std::string bytes = RandomBytes(200000, 3);
  bytes[1000] ^= 0x01;
  std::filesystem::create_directories(std::filesystem::path(ObjectPath(sha)).parent_path());
  WriteFile(ObjectPath(sha), bytes);
  HttpResponse bad = Client("admin").Request("POST", "/api/restore-points/" + id + "/check");
  ASSERT_EQ(bad.status, 200) << bad.body;
  auto check = ParseJson(bad.body)->getObject("check");
  EXPECT_EQ(check->optValue<std::string>("state", ""), "failed");
  EXPECT_FALSE(check->optValue<std::string>("message", "").empty());
  auto health = BackupHealth();
  EXPECT_EQ(health->optValue<std::string>("status", ""), "failing");
  EXPECT_FALSE(health->optValue<std::string>("last_error", "").empty());
}

TEST_F(RestorePointsWebTest, HealthIsStaleWithoutARestorePoint) {
  auto health = BackupHealth();
  EXPECT_EQ(health->optValue<std::string>("status", ""), "stale");
  EXPECT_TRUE(health->isNull("newest_good_age_seconds"));
  CreatePoint();
  health = BackupHealth();
  EXPECT_EQ(health->optValue<std::string>("status", ""), "ok");
  EXPECT_GE(health->optValue<int64_t>("newest_good_age_seconds", -1), 0);
}

TEST_F(RestorePointsWebTest, SettingsPageBackUpNowRestoreCheckAndDelete) {
  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse made = admin.PostForm("/settings/backup/points", {{"csrf", csrf}});
  ASSERT_EQ(made.status, 303) << made.body;
  auto list = ListPoints();
  ASSERT_EQ(list->size(), 1u);
  const std::string id = list->getObject(0)->optValue<std::string>("id", "");
  HttpResponse page = admin.Get("/settings/backup");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("data-point=\"" + id + "\""), std::string::npos);
  EXPECT_EQ(page.body.find("}}"), std::string::npos) << "a template tag leaked";
  EXPECT_EQ(admin.PostForm("/settings/backup/points", {}).status, 403);  // no CSRF token

  HttpResponse checked =
      admin.PostForm("/settings/backup/points/" + id + "/check", {{"csrf", csrf}});
  EXPECT_EQ(checked.status, 303);
  EXPECT_NE(admin.Get(checked.Header("location")).body.find("Checking every restore point"),
            std::string::npos);
  // The check runs in the background: its journal entry says it has ended.
  Poco::JSON::Object::Ptr check = WaitForJournalEntry("check");
  ASSERT_TRUE(check) << "the check did not end";
  EXPECT_EQ(check->optValue<std::string>("outcome", ""), "ok")
      << check->optValue<std::string>("message", "");
  EXPECT_EQ(check->optValue<std::string>("subject", ""), id);

  ChangeTheWiki();
  HttpResponse staged =
      admin.PostForm("/settings/backup/points/" + id + "/restore", {{"csrf", csrf}});
  ASSERT_EQ(staged.status, 303) << staged.body;
  const std::string preview = staged.Header("location");
  ASSERT_EQ(preview.rfind("/settings/backup/import/", 0), 0u) << preview;
  EXPECT_NE(admin.Get(preview).body.find("ALL current data will be replaced"), std::string::npos);
  HttpResponse go = admin.PostForm(
      preview + "/confirm", {{"csrf", csrf}, {"site_title", "arkwiki"}, {"password", kPassword}});
  ASSERT_EQ(go.status, 202) << go.body;
  auto job = WaitForJob(admin, JobIdFromPage(go.body));
  EXPECT_EQ(job->optValue<std::string>("state", ""), "done")
      << job->optValue<std::string>("message", "");
  EXPECT_EQ(AlphaText(), "version one");

  HttpResponse deleted = admin.PostForm("/settings/backup/points/" + id + "/delete",
                                        {{"csrf", csrf}, {"password", kPassword}});
  EXPECT_EQ(deleted.status, 303);
  list = ListPoints();
  ASSERT_EQ(list->size(), 1u);  // the restore's own safety point is left
  EXPECT_NE(list->getObject(0)->optValue<std::string>("id", ""), id);
}

// As in backup_web_test.cpp: a download held open by a client that does not
// read holds the one-operation lock.
TEST_F(RestorePointsWebTest, EveryWritingCallWhileABackupRunsGets409) {
  const std::string id = CreatePoint()->optValue<std::string>("id", "");
  ASSERT_EQ(UploadFile("docs", "big.bin", RandomBytes(32 << 20, 7)).status, 201);
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
  Poco::Net::HTTPRequest rq("POST", "/api/backups", Poco::Net::HTTPMessage::HTTP_1_1);
  rq.set("Authorization", "Bearer " + tokens_["admin"]);
  rq.setContentLength64(0);
  session.sendRequest(rq);
  Poco::Net::HTTPResponse rs;
  std::istream& in = session.receiveResponse(rs);
  ASSERT_EQ(rs.getStatus(), 200);
  std::string first(65536, '\0');
  in.read(first.data(), static_cast<std::streamsize>(first.size()));
  HttpClient c = Client("admin");
  EXPECT_EQ(c.Request("POST", "/api/restore-points").status, 409);
  EXPECT_EQ(c.Get("/api/restore-points/" + id + "/archive").status, 409);
  EXPECT_EQ(c.Request("POST", "/api/restore-points/" + id + "/restore?dry_run=1").status, 409);
  EXPECT_EQ(c.Request("POST", "/api/restore-points/" + id + "/check").status, 409);
  HttpResponse busy = c.Request("DELETE", "/api/restore-points/" + id);
  EXPECT_EQ(busy.status, 409);
  EXPECT_NE(busy.body.find("another backup or import is running"), std::string::npos);
  EXPECT_EQ(c.Get("/api/restore-points").status, 200);  // listing only reads
  session.abort();
}

// The journal over HTTP, and "Test restore now" running the real
// `arkwiki backup test-restore` (a child of the server) on the newest point.
TEST_F(RestorePointsWebTest, TestRestoreNowProvesTheNewestPointAndTheJournalShowsIt) {
  const std::string id = CreatePoint()->getValue<std::string>("id");
  EXPECT_EQ(Client("editor").Get("/api/backup-journal").status, 403);
  EXPECT_EQ(Client("editor").Request("POST", "/api/backup-test-restore", "", "").status, 403);
  HttpResponse r = Client("admin").Request("POST", "/api/backup-test-restore", "", "");
  ASSERT_EQ(r.status, 202) << r.body;
  // It runs in the background: wait for its journal entry.
  Poco::JSON::Object::Ptr entry = WaitForJournalEntry("test_restore");
  ASSERT_TRUE(entry) << "no test restore was journaled";
  EXPECT_EQ(entry->optValue<std::string>("outcome", ""), "ok")
      << entry->optValue<std::string>("message", "");
  EXPECT_EQ(entry->optValue<std::string>("subject", ""), id);
  EXPECT_EQ(entry->optValue<std::string>("actor", ""), "admin");
  // Newest first, paged: the restore point made above comes before it.
  r = Client("admin").Get("/api/backup-journal?limit=1&offset=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto page = ParseJson(r.body);
  ASSERT_EQ(page->getArray("entries")->size(), 1u);
  EXPECT_EQ(page->getArray("entries")->getObject(0)->optValue<std::string>("event", ""),
            "restore_point");
  EXPECT_FALSE(page->optValue<bool>("more", true));
  auto status = ParseJson(Client("admin").Get("/api/backup-policy").body)->getObject("status");
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->optValue<bool>("last_test_restore_passed", false));
}

}  // namespace
}  // namespace arkwiki::testing
