// Private pages stay unnamed for anonymous visitors wherever a public page
// refers to them: breadcrumbs, "parent" in the JSON API, page lists, child
// and backlink lists, and redirects after a rename.
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

class PrivateTitlesTest : public WikiServerTest {
 protected:
  void SetUp() override {
    WikiServerTest::SetUp();
    ASSERT_EQ(PutPage("editor", "open-root", R"({"title":"Open Root","markdown":"r"})").status,
              201);
    ASSERT_EQ(PutPage("editor", "secret-plans",
                      R"({"title":"Secret Plans","markdown":"[[open-child]]",)"
                      R"("visibility":"private","parent":"open-root"})")
                  .status,
              201);
    ASSERT_EQ(PutPage("editor", "open-child",
                      R"({"title":"Open Child","markdown":"c","parent":"secret-plans"})")
                  .status,
              201);
  }

  static bool Names(const std::string& body) {
    return body.find("secret-plans") != std::string::npos ||
           body.find("Secret Plans") != std::string::npos;
  }
};

TEST_F(PrivateTitlesTest, BreadcrumbStopsAtAHiddenAncestor) {
  HttpResponse anonymous = Client().Get("/wiki/open-child");
  ASSERT_EQ(anonymous.status, 200);
  EXPECT_FALSE(Names(anonymous.body)) << anonymous.body;
  // Everything above the hidden ancestor goes too: it would place the page.
  EXPECT_EQ(anonymous.body.find("Open Root"), std::string::npos) << anonymous.body;
  HttpResponse reader = Client("reader").Get("/wiki/open-child");
  EXPECT_NE(reader.body.find("Secret Plans"), std::string::npos);
  EXPECT_NE(reader.body.find("Open Root"), std::string::npos);
}

TEST_F(PrivateTitlesTest, ApiLeavesOutAHiddenParent) {
  HttpResponse anonymous = Client().Get("/api/pages/open-child");
  ASSERT_EQ(anonymous.status, 200);
  EXPECT_FALSE(Names(anonymous.body)) << anonymous.body;
  EXPECT_NE(anonymous.body.find(R"("parent":null)"), std::string::npos) << anonymous.body;
  EXPECT_NE(Client("reader").Get("/api/pages/open-child").body.find(R"("parent":"secret-plans")"),
            std::string::npos);
}

TEST_F(PrivateTitlesTest, ListsAndBacklinksLeaveOutHiddenPages) {
  for (const char* path : {"/api/pages", "/pages", "/", "/wiki/open-root", "/wiki/open-child",
                           "/api/pages/open-child/revisions", "/wiki/open-child/history",
                           "/api/search?q=open", "/search?q=open"}) {
    HttpResponse r = Client().Get(path);
    EXPECT_FALSE(Names(r.body)) << path << ": " << r.body;
  }
}

TEST_F(PrivateTitlesTest, RenameRedirectDoesNotNameAHiddenPage) {
  HttpResponse renamed = Client("editor").Request(
      "POST", "/api/pages/secret-plans/rename",
      R"({"slug":"secret-plans-2","title":"Secret Plans 2"})", "application/json");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  for (const char* path : {"/wiki/secret-plans", "/api/pages/secret-plans"}) {
    HttpResponse r = Client().Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.Header("location"), "") << path;
    EXPECT_EQ(r.body.find("secret-plans-2"), std::string::npos) << path;
  }
  EXPECT_EQ(Client("reader").Get("/wiki/secret-plans").status, 301);
}

}  // namespace
}  // namespace arkwiki::testing
