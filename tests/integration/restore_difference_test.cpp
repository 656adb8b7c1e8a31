// What a restore would change (arkwiki/backup/restore_diff.h), as the
// import preview, POST /api/restore?dry_run=1 and `arkwiki backup diff` show
// it: over a real socket and with the CLI as a process.
#include <Poco/JSON/Array.h>

#include "arkwiki/storage/db.h"
#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

class RestoreDifferenceTest : public BackupWebFixture {
 protected:
  // The backup holds alpha, docs (with one.bin) and gamma; then the wiki
  // changes in every way the difference reports.
  void SetUp() override {
    BackupWebFixture::SetUp();
    SeedTheWiki();
    ASSERT_EQ(PutPage("editor", "gamma", R"({"title":"Gamma","markdown":"old"})").status, 201);
    HttpResponse r = ApiBackup();
    ASSERT_EQ(r.status, 200);
    backup_ = r.body;
    ChangeTheWiki();  // alpha edited, beta new, two.bin uploaded
    ASSERT_EQ(Client("editor").Request("DELETE", "/api/pages/gamma").status, 200);
    ASSERT_EQ(Client("admin")
                  .Request("POST", "/api/users",
                           R"({"name":"dave","role":"editor","password":"long enough pw"})",
                           "application/json")
                  .status,
              201);
    ASSERT_EQ(Client("admin")
                  .Request("PUT", "/api/users/reader", R"({"role":"editor"})", "application/json")
                  .status,
              200);
    ASSERT_EQ(
        Client("admin")
            .Request("PUT", "/api/settings", R"({"site_title":"Renamed"})", "application/json")
            .status,
        200);
  }

  Poco::JSON::Object::Ptr DryRunDifference(const std::string& role = "admin") {
    HttpResponse r = ApiRestore(backup_, "?dry_run=1", role);
    EXPECT_EQ(r.status, 200) << r.body;
    auto preview = ParseJson(r.body)->getObject("preview");
    if (!preview) return new Poco::JSON::Object;
    EXPECT_TRUE(preview->getObject("active_users"));
    auto difference = preview->getObject("difference");
    return difference ? difference : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
  }

  // The slugs or names of one list's entries, in order.
  static std::vector<std::string> Keys(const Poco::JSON::Object::Ptr& list, const char* key) {
    std::vector<std::string> out;
    if (!list || !list->getArray("entries")) return out;
    auto entries = list->getArray("entries");
    for (size_t i = 0; i < entries->size(); ++i) {
      out.push_back(entries->getObject(static_cast<unsigned>(i))->optValue<std::string>(key, ""));
    }
    return out;
  }

  std::string backup_;
};

using Names = std::vector<std::string>;

TEST_F(RestoreDifferenceTest, DryRunListsPagesUsersUploadsAndSettings) {
  auto d = DryRunDifference();
  auto pages = d->getObject("pages");
  ASSERT_TRUE(pages);
  EXPECT_EQ(Keys(pages->getObject("added"), "slug"), Names({"gamma"}));
  EXPECT_EQ(Keys(pages->getObject("removed"), "slug"), Names({"beta"}));
  EXPECT_EQ(Keys(pages->getObject("changed"), "slug"), Names({"alpha"}));
  auto alpha = pages->getObject("changed")->getArray("entries")->getObject(0);
  EXPECT_EQ(alpha->getObject("in_backup")->optValue<int>("revision", 0), 1);
  EXPECT_EQ(alpha->getObject("now")->optValue<int>("revision", 0), 2);
  EXPECT_EQ(alpha->getObject("now")->optValue<std::string>("edited_by", ""), "editor");
  EXPECT_FALSE(alpha->getObject("now")->optValue<std::string>("edited_at", "").empty());
  EXPECT_TRUE(alpha->optValue<bool>("edited_since_backup", false));
  EXPECT_EQ(pages->optValue<int>("edited_since_backup", 0), 2);  // alpha and beta

  auto users = d->getObject("users");
  ASSERT_TRUE(users);
  EXPECT_EQ(Keys(users->getObject("added"), "name"), Names{});
  EXPECT_EQ(Keys(users->getObject("removed"), "name"), Names({"dave"}));
  EXPECT_EQ(Keys(users->getObject("changed"), "name"), Names({"reader"}));
  auto reader = users->getObject("changed")->getArray("entries")->getObject(0);
  EXPECT_EQ(reader->getObject("in_backup")->optValue<std::string>("role", ""), "reader");
  EXPECT_EQ(reader->getObject("now")->optValue<std::string>("role", ""), "editor");
  EXPECT_FALSE(users->optValue<bool>("importer_loses_admin", true));

  auto uploads = d->getObject("uploads");
  ASSERT_TRUE(uploads);
  EXPECT_EQ(uploads->optValue<int>("files_added", -1), 0);
  EXPECT_EQ(uploads->optValue<int>("files_removed", -1), 1);
  EXPECT_EQ(uploads->optValue<int>("bytes_removed", -1), 100000);

  auto settings = d->getObject("settings");
  ASSERT_TRUE(settings);
  EXPECT_EQ(Keys(settings, "key"), Names({"site_title"}));
  auto title = settings->getArray("entries")->getObject(0);
  EXPECT_EQ(title->optValue<std::string>("in_backup", ""), "arkwiki");
  EXPECT_EQ(title->optValue<std::string>("now", ""), "Renamed");
  EXPECT_TRUE(DirEmpty(data_ + "/staging"));
}

TEST_F(RestoreDifferenceTest, ImporterWhoIsNoAdminInTheBackupIsWarned) {
  ASSERT_EQ(Client("admin")
                .Request("POST", "/api/users",
                         R"({"name":"boss","role":"admin","password":"long enough pw"})",
                         "application/json")
                .status,
            201);
  HttpResponse t =
      Client("admin").Request("POST", "/api/tokens", R"({"user":"boss"})", "application/json");
  ASSERT_EQ(t.status, 201) << t.body;
  tokens_["boss"] = ParseJson(t.body)->optValue<std::string>("token", "");
  auto users = DryRunDifference("boss")->getObject("users");
  ASSERT_TRUE(users);
  EXPECT_TRUE(users->optValue<bool>("importer_loses_admin", false));
  EXPECT_EQ(Keys(users->getObject("removed"), "name"), Names({"boss", "dave"}));
}

TEST_F(RestoreDifferenceTest, LongListsKeepTheFirst200AndShowAllHasEveryEntry) {
  for (int i = 0; i < 205; ++i) {
    char slug[16];
    std::snprintf(slug, sizeof slug, "bulk-%03d", i);
    ASSERT_EQ(PutPage("editor", slug, R"({"title":"Bulk","markdown":"x"})").status, 201);
  }
  auto removed = DryRunDifference()->getObject("pages")->getObject("removed");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->optValue<int>("total", 0), 206);  // beta and the bulk pages
  EXPECT_EQ(removed->getArray("entries")->size(), 200u);

  std::string csrf;
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse up = admin.Request("POST", "/settings/backup/import", backup_, "application/zip",
                                  {{"X-CSRF-Token", csrf}, {"Accept", "application/json"}});
  ASSERT_EQ(up.status, 201) << up.body;
  const std::string preview_url = ParseJson(up.body)->optValue<std::string>("preview_url", "");
  HttpResponse preview = admin.Get(preview_url);
  ASSERT_EQ(preview.status, 200);
  EXPECT_NE(preview.body.find("the first 200 shown"), std::string::npos);
  const std::string all_href = preview_url + "/difference?list=pages_removed";
  EXPECT_NE(preview.body.find(all_href), std::string::npos) << preview.body;
  HttpResponse all = admin.Get(all_href);
  ASSERT_EQ(all.status, 200);
  size_t rows = 0;
  for (size_t at = all.body.find("class=\"diff-page"); at != std::string::npos;
       at = all.body.find("class=\"diff-page", at + 1)) {
    ++rows;
  }
  EXPECT_EQ(rows, 206u);
  HttpResponse json =
      admin.Request("GET", all_href + "&offset=200", "", "", {{"Accept", "application/json"}});
  ASSERT_EQ(json.status, 200) << json.body;
  auto page = ParseJson(json.body);
  EXPECT_EQ(page->optValue<int>("total", 0), 206);
  EXPECT_EQ(page->getArray("entries")->size(), 6u);
  EXPECT_EQ(admin.Get(preview_url + "/difference?list=nonsense").status, 400);
}

TEST_F(RestoreDifferenceTest, PreviewNamesWhoUsedTheWikiLately) {
  std::string csrf;
  HttpClient editor = Browser("editor", &csrf);  // a second person, logged in
  ASSERT_EQ(editor.Get("/").status, 200);
  HttpClient admin = Browser("admin", &csrf);
  HttpResponse up = admin.Request("POST", "/settings/backup/import", backup_, "application/zip",
                                  {{"X-CSRF-Token", csrf}, {"Accept", "application/json"}});
  ASSERT_EQ(up.status, 201) << up.body;
  HttpResponse preview = admin.Get(ParseJson(up.body)->optValue<std::string>("preview_url", ""));
  ASSERT_EQ(preview.status, 200);
  EXPECT_NE(preview.body.find("1 people used the wiki in the last 15 minutes"), std::string::npos)
      << preview.body;
  EXPECT_NE(preview.body.find("<strong class=\"active-user\">editor</strong>"), std::string::npos);
  EXPECT_NE(preview.body.find("data-slug=\"beta\""), std::string::npos);
  EXPECT_NE(preview.body.find("data-name=\"dave\""), std::string::npos);
}

TEST_F(RestoreDifferenceTest, RestorePointDryRunShowsTheSameDifference) {
  HttpResponse made =
      Client("admin").Request("POST", "/api/restore-points", "{}", "application/json");
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string id = ParseJson(made.body)->optValue<std::string>("id", "");
  ASSERT_EQ(PutPage("editor", "omega", R"({"title":"Omega","markdown":"after"})").status, 201);
  HttpResponse r =
      Client("admin").Request("POST", "/api/restore-points/" + id + "/restore?dry_run=1");
  ASSERT_EQ(r.status, 200) << r.body;
  auto preview = ParseJson(r.body)->getObject("preview");
  ASSERT_TRUE(preview && preview->getObject("difference")) << r.body;
  auto pages = preview->getObject("difference")->getObject("pages");
  EXPECT_EQ(Keys(pages->getObject("removed"), "slug"), Names({"omega"}));
  EXPECT_EQ(Keys(pages->getObject("changed"), "slug"), Names{});
  EXPECT_EQ(Client("admin").Get("/api/pages/omega").status, 200);
}

// The CLI, on the stopped server's data directory, with beta's revision
// dated long before the backup: it stays in the list of pages the restore
// removes, after the pages edited since the backup.
TEST_F(RestoreDifferenceTest, CliPrintsTheDifferenceAsTextAndJson) {
  ASSERT_EQ(PutPage("editor", "zeta", R"({"title":"Zeta","markdown":"z"})").status, 201);
  ASSERT_EQ(server_->Stop(), 0);
  {
    auto db = Db::Open(data_ + "/live/arkwiki.db", DbOptions{});
    ASSERT_TRUE(db.ok()) << db.status().message();
    ASSERT_TRUE((*db)
                    ->Exec("UPDATE revisions SET created_at = 1000 WHERE page_id = "
                           "(SELECT id FROM pages WHERE slug = 'beta')")
                    .ok());
  }
  const std::string archive = dir_.Sub("backup.zip");
  WriteFile(archive, backup_);
  auto json = RunArkwiki({"backup", "diff", archive, "--data", data_, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto d = ParseJson(json.out);
  ASSERT_TRUE(d->getObject("pages")) << json.out;
  auto removed = d->getObject("pages")->getObject("removed");
  EXPECT_EQ(Keys(removed, "slug"), Names({"zeta", "beta"}));
  EXPECT_FALSE(
      removed->getArray("entries")->getObject(1)->optValue<bool>("edited_since_backup", true));
  EXPECT_EQ(d->getObject("uploads")->optValue<int>("files_removed", -1), 1);

  auto text = RunArkwiki({"backup", "diff", archive, "--data", data_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("pages removed: 2"), std::string::npos) << text.out;
  EXPECT_LT(text.out.find("zeta"), text.out.find("beta"));
  EXPECT_NE(text.out.find("users removed: 1"), std::string::npos);
  EXPECT_NE(text.out.find("site_title"), std::string::npos);
  EXPECT_NE(text.out.find("1 removed (100000 bytes)"), std::string::npos);

  auto damaged = RunArkwiki({"backup", "diff", data_ + "/live/arkwiki.db", "--data", data_});
  EXPECT_EQ(damaged.exit_code, 3) << damaged.out;
}

}  // namespace
}  // namespace arkwiki::testing
