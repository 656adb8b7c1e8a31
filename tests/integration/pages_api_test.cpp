// Pages through the JSON API and the HTML views, over a real socket.
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

using PagesApiTest = WikiServerTest;

TEST_F(PagesApiTest, HealthIsOk) {
  HttpResponse r = Client().Get("/api/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(R"("status":"ok")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("load":"ok")"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("waiting":0)"), std::string::npos) << r.body;
}

TEST_F(PagesApiTest, PutCreatesThenUpdatesWithRevisions) {
  HttpResponse created = PutPage("editor", "guide", R"({"title":"Guide","markdown":"v1"})");
  EXPECT_EQ(created.status, 201) << created.body;
  HttpResponse updated = PutPage("editor", "guide", R"({"title":"Guide","markdown":"v2"})");
  EXPECT_EQ(updated.status, 200);
  HttpResponse page = Client().Get("/api/pages/guide");
  EXPECT_NE(page.body.find(R"("markdown":"v2")"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find(R"("revision":2)"), std::string::npos);
  HttpResponse revs = Client().Get("/api/pages/guide/revisions");
  EXPECT_NE(revs.body.find(R"("revision":1)"), std::string::npos) << revs.body;
  EXPECT_EQ(Client().Get("/api/pages").body.find("\"guide\"") != std::string::npos, true);
}

TEST_F(PagesApiTest, DeleteMovesToTrash) {
  ASSERT_EQ(PutPage("editor", "old", R"({"title":"Old","markdown":"x"})").status, 201);
  EXPECT_EQ(Client("editor").Request("DELETE", "/api/pages/old").status, 200);
  EXPECT_EQ(Client().Get("/api/pages/old").status, 404);
  EXPECT_NE(Client("editor").Get("/api/trash").body.find("\"old\""), std::string::npos);
  EXPECT_EQ(Client("editor").Request("POST", "/api/trash/old/restore").status, 200);
  EXPECT_EQ(Client().Get("/api/pages/old").status, 200);
}

TEST_F(PagesApiTest, APurgeThroughTheApiIsAudited) {
  ASSERT_EQ(PutPage("editor", "gone", R"({"title":"Gone","markdown":"x"})").status, 201);
  ASSERT_EQ(Client("editor").Request("DELETE", "/api/pages/gone").status, 200);
  ASSERT_EQ(Client("admin").Request("DELETE", "/api/trash/gone").status, 200);
  const std::string audit = Client("admin").Get("/api/audit").body;
  EXPECT_NE(audit.find("page.purge"), std::string::npos) << audit;
  EXPECT_NE(audit.find("slug=gone"), std::string::npos) << audit;
}

// The edit form trims a title and refuses a blank one; the API does the same.
TEST_F(PagesApiTest, ABlankTitleIsRefusedAndATitleIsTrimmed) {
  EXPECT_EQ(PutPage("editor", "blank", R"({"title":"   ","markdown":"x"})").status, 400);
  ASSERT_EQ(PutPage("editor", "spaced", R"({"title":"  Spaced  ","markdown":"x"})").status, 201);
  EXPECT_NE(Client().Get("/api/pages/spaced").body.find("\"title\":\"Spaced\""), std::string::npos);
}

TEST_F(PagesApiTest, TheApiRedirectOfARenamedPageIsPercentEncoded) {
  ASSERT_EQ(PutPage("editor", "before", R"({"title":"Before","markdown":"x"})").status, 201);
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/before/rename", R"({"slug":"th\u00e9"})", "application/json")
          .status,
      200);
  HttpResponse old = Client().Get("/api/pages/before");
  EXPECT_EQ(old.status, 301);
  EXPECT_EQ(old.Header("location"), "/api/pages/th%C3%A9");
}

// [[Old Title]] on other pages keeps working after a rename (it
// redirects), so it is drawn as a link, not as a missing page, and the
// renamed page lists those pages as backlinks; unless the visitor may not
// see the page.
TEST_F(PagesApiTest, LinksToARenamedPagesOldSlugAreNotMissing) {
  ASSERT_EQ(PutPage("editor", "target-b", R"({"title":"Target B","markdown":"t"})").status, 201);
  ASSERT_EQ(
      PutPage("editor", "linker", R"({"title":"Linker","markdown":"see [[Target B]]"})").status,
      201);
  ASSERT_EQ(Client("editor")
                .Request("POST", "/api/pages/target-b/rename", R"({"slug":"target-c"})",
                         "application/json")
                .status,
            200);
  const std::string view = Client().Get("/wiki/linker").body;
  EXPECT_NE(view.find("<a href=\"/wiki/target-b\">Target B</a>"), std::string::npos) << view;
  EXPECT_EQ(view.find("class=\"missing\""), std::string::npos) << view;
  EXPECT_NE(Client().Get("/wiki/target-c").body.find("/wiki/linker"), std::string::npos);
  ASSERT_EQ(
      PutPage("editor", "target-c", R"({"title":"Target C","markdown":"t","visibility":"private"})")
          .status,
      200);
  EXPECT_NE(Client().Get("/wiki/linker").body.find("class=\"missing\""), std::string::npos);
}

TEST_F(PagesApiTest, RenameRedirectsOldAddress) {
  ASSERT_EQ(PutPage("editor", "before", R"({"title":"Before","markdown":"x"})").status, 201);
  HttpResponse r =
      Client("editor").Request("POST", "/api/pages/before/rename",
                               R"({"slug":"after","title":"After"})", "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  HttpResponse old = Client().Get("/wiki/before");
  EXPECT_EQ(old.status, 301);
  EXPECT_EQ(old.Header("location"), "/wiki/after");
}

TEST_F(PagesApiTest, XssPayloadIsRenderedInert) {
  const std::string json =
      R"({"title":"<script>alert(1)</script>","markdown":"<script>alert(2)</script>\n\n)"
      R"([click](javascript:alert(3)) <img src=x onerror=alert(4)>\n\n[[<b onmouseover=x>]]"})";
  ASSERT_EQ(PutPage("editor", "xss", json).status, 201);
  HttpResponse page = Client().Get("/wiki/xss");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
  EXPECT_EQ(page.body.find("javascript:alert"), std::string::npos);
  EXPECT_EQ(page.body.find("onerror=alert"), std::string::npos);
  EXPECT_EQ(page.body.find("<b onmouseover"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;alert(1)"), std::string::npos);  // the title, escaped
  EXPECT_NE(page.Header("content-security-policy").find("script-src 'self'"), std::string::npos);
}

TEST_F(PagesApiTest, MalformedJsonAndBadSlugsAre4xx) {
  EXPECT_EQ(PutPage("editor", "ok", "{not json").status, 400);
  EXPECT_EQ(PutPage("editor", "ok", R"({"title":"x"})").status, 400);
  EXPECT_EQ(PutPage("editor", "..", R"({"title":"x","markdown":"y"})").status, 404);
  EXPECT_EQ(PutPage("editor", "%2e%2e", R"({"title":"x","markdown":"y"})").status, 404);
  EXPECT_EQ(PutPage("editor", "a%2fb", R"({"title":"x","markdown":"y"})").status, 404);
  EXPECT_EQ(PutPage("editor", "Bad%20Slug", R"({"title":"x","markdown":"y"})").status, 400);
  EXPECT_EQ(Client().Get("/wiki/%ZZ").status, 404);
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

TEST_F(PagesApiTest, OversizeJsonBodyGets413) {
  std::string big = R"({"title":"Big","markdown":")" + std::string(21 << 20, 'a') + "\"}";
  EXPECT_EQ(PutPage("editor", "big", big).status, 413);
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

TEST_F(PagesApiTest, SettingsAndPreferencesRoundTrip) {
  HttpResponse r = Client("admin").Request("PUT", "/api/settings",
                                           R"({"site_title":"Team Wiki","upload_max_bytes":1234})",
                                           "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Client("admin").Get("/api/settings").body.find("Team Wiki"), std::string::npos);
  EXPECT_EQ(Client("admin")
                .Request("PUT", "/api/settings", R"({"site_title":""})", "application/json")
                .status,
            400);
  r = Client("reader").Request("PUT", "/api/me/preferences", R"({"theme":"dark"})",
                               "application/json");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Client("reader").Get("/api/me/preferences").body.find(R"("theme":"dark")"),
            std::string::npos);
  HttpClient browser = Client();
  ASSERT_TRUE(LoginWithForm(browser, "reader", kPassword));
  EXPECT_NE(browser.Get("/").body.find("data-theme=\"dark\""), std::string::npos);
  EXPECT_NE(Client("admin").Get("/api/audit").body.find("settings.update"), std::string::npos);
}

TEST_F(PagesApiTest, SigtermFinishesCleanly) { EXPECT_EQ(server_->Stop(), 0); }

}  // namespace
}  // namespace arkwiki::testing
