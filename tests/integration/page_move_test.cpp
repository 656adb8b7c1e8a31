// Moving a page (parent and place among its siblings) through the JSON API
// and the Move form, over a real socket.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include "support/seed_wiki.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

class PageMoveTest : public WikiServerTest {
 protected:
  void SetUp() override {
    WikiServerTest::SetUp();
    for (const char* slug : {"a", "b", "c"}) {
      ASSERT_EQ(
          PutPage("editor", slug, std::string(R"({"title":")") + slug + R"(","markdown":"x"})")
              .status,
          201);
    }
    ASSERT_EQ(PutPage("editor", "a1", R"({"title":"A1","markdown":"x","parent":"a"})").status, 201);
    ASSERT_EQ(PutPage("editor", "a2", R"({"title":"A2","markdown":"x","parent":"a1"})").status,
              201);
  }
  HttpResponse Move(const std::string& role, const std::string& slug, const std::string& json) {
    return Client(role).Request("POST", "/api/pages/" + slug + "/move", json, "application/json");
  }
  // Runs `sql` on the live database with the server stopped, as older or
  // imported data could hold it, then serves again.
  void ChangeDatabaseOffline(const std::string& sql) {
    ASSERT_EQ(server_->Stop(), 0);
    TamperDatabase(data_ + "/live/arkwiki.db", sql);
    auto server = StartServer(data_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }
  // Children kid-FROM..kid-TO (zero-padded to 4 digits) of page b, in that
  // order, each with its first revision.
  void AddChildrenOfB(int from, int to) {
    ChangeDatabaseOffline(
        "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(from) +
        " UNION ALL SELECT i + 1 FROM n WHERE i < " + std::to_string(to) +
        ") INSERT INTO pages(slug, title, current_revision, created_at, updated_at, parent_id, "
        "sort_order) SELECT printf('kid-%04d', i), printf('Kid %04d', i), 1, 0, 0, "
        "(SELECT id FROM pages WHERE slug = 'b'), i FROM n; "
        "INSERT INTO revisions(page_id, number, title, markdown, author, created_at) "
        "SELECT id, 1, title, 'x', 'editor', 0 FROM pages WHERE slug LIKE 'kid-%' "
        "AND id NOT IN (SELECT page_id FROM revisions);");
  }
  // `slug`'s page as an editor logged in with `browser` sees it.
  HttpResponse EditorView(HttpClient* browser, const std::string& slug) {
    EXPECT_TRUE(LoginWithForm(*browser, "editor", kPassword));
    HttpResponse view = browser->Get("/wiki/" + slug);
    EXPECT_EQ(view.status, 200);
    return view;
  }
  // The slugs under `parent` ("" = top level) in their sort order, joined by ','.
  std::string Order(const std::string& parent) {
    HttpResponse r = Client("editor").Get("/api/pages");
    auto body = Poco::JSON::Parser().parse(r.body).extract<Poco::JSON::Object::Ptr>();
    auto pages = body->getArray("pages");
    std::vector<std::pair<int64_t, std::string>> found;
    for (size_t i = 0; i < pages->size(); ++i) {
      auto p = pages->getObject(static_cast<unsigned>(i));
      const std::string of = p->isNull("parent") ? "" : p->getValue<std::string>("parent");
      if (of == parent) {
        found.emplace_back(p->getValue<int64_t>("sort_order"), p->getValue<std::string>("slug"));
      }
    }
    std::sort(found.begin(), found.end());
    std::string out;
    for (const auto& [order, slug] : found) out += (out.empty() ? "" : ",") + slug;
    return out;
  }
};

TEST_F(PageMoveTest, ReordersTopLevelPages) {
  EXPECT_EQ(Order(""), "a,b,c");
  HttpResponse r = Move("editor", "c", R"({"position":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("sort_order":1)"), std::string::npos) << r.body;
  EXPECT_EQ(Order(""), "c,a,b");
  ASSERT_EQ(Move("editor", "c", R"({"position":99})").status, 200);
  EXPECT_EQ(Order(""), "a,b,c");
}

TEST_F(PageMoveTest, MovesUnderAnotherParentAndBackToTheTop) {
  HttpResponse r = Move("editor", "b", R"({"parent":"a","position":1})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("parent":"a")"), std::string::npos) << r.body;
  EXPECT_EQ(Order("a"), "b,a1");
  EXPECT_EQ(Order(""), "a,c");
  ASSERT_EQ(Move("editor", "b", R"({"parent":null})").status, 200);
  EXPECT_EQ(Order(""), "a,c,b");
  ASSERT_EQ(Move("editor", "a1", R"({"parent":""})").status, 200);
  EXPECT_EQ(Order(""), "a,c,b,a1");
  EXPECT_EQ(Order("a1"), "a2");  // its own pages move with it
}

TEST_F(PageMoveTest, RefusesACycleAnUnknownPageAndABadPosition) {
  EXPECT_EQ(Move("editor", "a", R"({"parent":"a"})").status, 400);
  EXPECT_EQ(Move("editor", "a", R"({"parent":"a2"})").status, 400);
  EXPECT_EQ(Move("editor", "a", R"({"parent":"nowhere"})").status, 404);
  EXPECT_EQ(Move("editor", "nowhere", R"({"position":1})").status, 404);
  EXPECT_EQ(Move("editor", "a", R"({"position":0})").status, 400);
  EXPECT_EQ(Move("editor", "a", R"({"position":"first"})").status, 400);
  EXPECT_EQ(Order(""), "a,b,c");
  EXPECT_EQ(Order("a"), "a1");
}

TEST_F(PageMoveTest, ReadersMayNotMoveAndMovesAreAudited) {
  EXPECT_EQ(Move("reader", "c", R"({"position":1})").status, 403);
  EXPECT_EQ(Move("", "c", R"({"position":1})").status, 401);
  ASSERT_EQ(Move("editor", "c", R"({"position":1})").status, 200);
  HttpResponse audit = Client("admin").Get("/api/audit?limit=5");
  EXPECT_NE(audit.body.find(R"("action":"page.move")"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("slug=c"), std::string::npos) << audit.body;
}

TEST_F(PageMoveTest, TheMoveFormMovesAPage) {
  HttpClient browser = Client();
  ASSERT_TRUE(LoginWithForm(browser, "editor", kPassword));
  HttpResponse form = browser.Get("/wiki/a2/move");
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find(R"(<option value="b")"), std::string::npos);
  // Neither the page itself nor anything below it is offered.
  EXPECT_EQ(form.body.find(R"(<option value="a2")"), std::string::npos);
  HttpResponse view = browser.Get("/wiki/a");
  EXPECT_NE(view.body.find("/wiki/a/move"), std::string::npos);
  HttpResponse moved = browser.PostForm(
      "/wiki/a2/move", {{"parent", "b"}, {"position", ""}, {"csrf", ExtractCsrf(form.body)}});
  EXPECT_EQ(moved.status, 303) << moved.body;
  EXPECT_EQ(Order("b"), "a2");
  HttpResponse refused = browser.PostForm(
      "/wiki/a/move", {{"parent", "a1"}, {"position", "1"}, {"csrf", ExtractCsrf(form.body)}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("Not moved"), std::string::npos);
  EXPECT_EQ(Order("a"), "a1");
}

// An editor's form for a page renamed meanwhile: the 409 says where the
// page is now and saves there next time; for a page deleted meanwhile the
// next save creates it anew. Neither is a 409 forever.
TEST_F(PageMoveTest, AnEditOfAPageRenamedOrDeletedMeanwhileCanBeSaved) {
  HttpClient browser = Client();
  ASSERT_TRUE(LoginWithForm(browser, "editor", kPassword));
  const std::string csrf = ExtractCsrf(browser.Get("/wiki/a/edit").body);
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/a/rename", R"({"slug":"a-renamed"})", "application/json")
          .status,
      200);
  const std::map<std::string, std::string> form{
      {"csrf", csrf}, {"title", "A"}, {"markdown", "my edit"}, {"base_revision", "1"}};
  HttpResponse conflict = browser.PostForm("/wiki/a/edit", form);
  ASSERT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_NE(conflict.body.find("renamed to"), std::string::npos) << conflict.body;
  EXPECT_NE(conflict.body.find("action=\"/wiki/a-renamed/edit\""), std::string::npos)
      << conflict.body;
  // The revision it was shown against, from the form.
  const std::string field = "name=\"base_revision\" value=\"";
  const size_t at = conflict.body.find(field);
  ASSERT_NE(at, std::string::npos) << conflict.body;
  std::map<std::string, std::string> again = form;
  again["base_revision"] = conflict.body.substr(
      at + field.size(), conflict.body.find('"', at + field.size()) - at - field.size());
  ASSERT_EQ(browser.PostForm("/wiki/a-renamed/edit", again).status, 303);
  EXPECT_NE(Client().Get("/api/pages/a-renamed").body.find("my edit"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/pages/a").status, 301);
  // Deleted for good meanwhile: the conflict offers a new page.
  ASSERT_EQ(Client("editor").Request("DELETE", "/api/pages/b").status, 200);
  ASSERT_EQ(Client("admin").Request("DELETE", "/api/trash/b").status, 200);
  HttpResponse gone = browser.PostForm(
      "/wiki/b/edit",
      {{"csrf", csrf}, {"title", "B"}, {"markdown", "kept"}, {"base_revision", "1"}});
  ASSERT_EQ(gone.status, 409) << gone.body;
  EXPECT_NE(gone.body.find("name=\"base_revision\" value=\"0\""), std::string::npos) << gone.body;
  ASSERT_EQ(
      browser
          .PostForm("/wiki/b/edit",
                    {{"csrf", csrf}, {"title", "B"}, {"markdown", "kept"}, {"base_revision", "0"}})
          .status,
      303);
  EXPECT_NE(Client().Get("/api/pages/b").body.find("kept"), std::string::npos);
}

// The form carries the page's id: after a rename, a new page may take the
// old slug at the same revision number, and the stale form must not save
// over it; a page renamed and then trashed must be restored first.
TEST_F(PageMoveTest, AStaleEditNeverSavesOverAnotherPageThatTookItsAddress) {
  HttpClient browser = Client();
  ASSERT_TRUE(LoginWithForm(browser, "editor", kPassword));
  const std::string edit = browser.Get("/wiki/a/edit").body;
  const std::string csrf = ExtractCsrf(edit);
  const std::string field = "name=\"page_id\" value=\"";
  const size_t at = edit.find(field);
  ASSERT_NE(at, std::string::npos) << edit;
  const std::string page_id =
      edit.substr(at + field.size(), edit.find('"', at + field.size()) - at - field.size());
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/a/rename", R"({"slug":"a-language"})", "application/json")
          .status,
      200);
  ASSERT_EQ(PutPage("editor", "a", R"({"title":"A, disambiguation","markdown":"which a?"
})")
                .status,
            201);
  const std::map<std::string, std::string> form{{"csrf", csrf},
                                                {"title", "A"},
                                                {"markdown", "the language, improved"},
                                                {"base_revision", "1"},
                                                {"page_id", page_id}};
  HttpResponse conflict = browser.PostForm("/wiki/a/edit", form);
  ASSERT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_NE(conflict.body.find("renamed to"), std::string::npos) << conflict.body;
  EXPECT_NE(conflict.body.find("action=\"/wiki/a-language/edit\""), std::string::npos);
  EXPECT_NE(Client().Get("/api/pages/a").body.find("which a?"), std::string::npos);
  // Renamed, then trashed: restore first.
  ASSERT_EQ(Client("editor").Request("DELETE", "/api/pages/a-language").status, 200);
  HttpResponse trashed = browser.PostForm("/wiki/a/edit", form);
  ASSERT_EQ(trashed.status, 409) << trashed.body;
  EXPECT_NE(trashed.body.find("moved to the trash"), std::string::npos) << trashed.body;
  EXPECT_NE(Client().Get("/api/pages/a").body.find("which a?"), std::string::npos);
}

// The API's stale edit, the same: GET answers the page's id, and a PUT that
// names it in base_page_id is a 409 when the slug now names another page.
TEST_F(PageMoveTest, AStaleApiEditWithThePageIdNeverSavesOverAnotherPage) {
  auto got = Poco::JSON::Parser()
                 .parse(Client("editor").Get("/api/pages/a").body)
                 .extract<Poco::JSON::Object::Ptr>();
  const int64_t id = got->getValue<int64_t>("id");
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/a/rename", R"({"slug":"a-language"})", "application/json")
          .status,
      200);
  ASSERT_EQ(PutPage("editor", "a", R"({"title":"A, disambiguation","markdown":"which a?"})").status,
            201);
  const std::string stale = R"({"title":"A","markdown":"the language, improved",)"
                            R"("base_revision":1,"base_page_id":)" +
                            std::to_string(id) + "}";
  HttpResponse conflict = PutPage("editor", "a", stale);
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_NE(Client().Get("/api/pages/a").body.find("which a?"), std::string::npos);
  // At its new slug the same id saves.
  EXPECT_EQ(PutPage("editor", "a-language", stale).status, 200);
  // Renamed again: the old slug names no page now, and the id still does
  // not let a stale edit create one there (which would drop the redirect).
  ASSERT_EQ(Client("editor")
                .Request("POST", "/api/pages/a-language/rename", R"({"slug":"a-lang"})",
                         "application/json")
                .status,
            200);
  const std::string no_revision =
      R"({"title":"A","markdown":"stale","base_page_id":)" + std::to_string(id) + "}";
  EXPECT_EQ(PutPage("editor", "a-language", no_revision).status, 409);
  EXPECT_EQ(Client().Get("/api/pages/a-language").status, 301);
}

// The form sends one field per child: three hundred is well past the
// two hundred fields a form once had at most. Above 5,000 children the
// page offers Move instead.
TEST_F(PageMoveTest, TheOrderFormOrdersThreeHundredChildren) {
  AddChildrenOfB(1, 300);
  if (HasFatalFailure()) return;
  HttpClient browser = Client();
  const HttpResponse view = EditorView(&browser, "b");
  EXPECT_NE(view.body.find(R"(name="order:kid-0300")"), std::string::npos);
  // Reverse the order: kid-300 first.
  std::map<std::string, std::string> form = {{"csrf", ExtractCsrf(view.body)}};
  std::string reversed;
  for (int i = 300; i >= 1; --i) {
    char slug[16];
    std::snprintf(slug, sizeof slug, "kid-%04d", i);
    form[std::string("order:") + slug] = std::to_string(301 - i);
    reversed += (reversed.empty() ? "" : ",") + std::string(slug);
  }
  HttpResponse saved = browser.PostForm("/wiki/b/order", form);
  EXPECT_EQ(saved.status, 303) << saved.body.substr(0, 300);
  EXPECT_EQ(Order("b"), reversed);

  // Above 5,000 children the page offers Move instead of the form.
  AddChildrenOfB(301, 5001);
  if (HasFatalFailure()) return;
  HttpClient again = Client();
  const HttpResponse crowded = EditorView(&again, "b");
  EXPECT_EQ(crowded.body.find(R"(name="order:)"), std::string::npos);
  EXPECT_NE(crowded.body.find("Too many subpages to order here"), std::string::npos);
}

// A tree deeper than saves allow (kMaxPageLevels), as older or imported
// data may hold, 30,000 levels: "All pages" and the Move form still answer.
// Drawn recursively, the tree overflowed a worker thread's stack and took
// the server down for every visitor.
TEST_F(PageMoveTest, AllPagesAndTheMoveFormServeATreeThirtyThousandLevelsDeep) {
  ChangeDatabaseOffline(R"SQL(
    WITH RECURSIVE chain(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM chain WHERE n < 30000)
    INSERT INTO pages(slug, title, current_revision, created_at, updated_at)
      SELECT 'deep-' || n, 'Deep ' || n, 1, 0, 0 FROM chain;
    UPDATE pages SET parent_id = (SELECT p.id FROM pages p
      WHERE p.slug = 'deep-' || (CAST(substr(pages.slug, 6) AS INTEGER) - 1))
      WHERE slug LIKE 'deep-%' AND slug != 'deep-1';
    INSERT INTO revisions(page_id, number, title, markdown, author, created_at)
      SELECT id, 1, title, 'x', 'editor', 0 FROM pages WHERE slug LIKE 'deep-%';
  )SQL");
  if (HasFatalFailure()) return;
  HttpResponse all = Client("reader").Get("/pages");
  ASSERT_EQ(all.status, 200) << all.body.substr(0, 500);
  EXPECT_NE(all.body.find("/wiki/deep-30000\""), std::string::npos);
  size_t lists = 0;
  for (size_t at = all.body.find("<ul>"); at != std::string::npos;
       at = all.body.find("<ul>", at + 1)) {
    ++lists;
  }
  EXPECT_GE(lists, 30000u);
  // The top of the chain can move only to the top level: every other
  // page is below it.
  HttpResponse move = Client("editor").Get("/wiki/deep-1/move");
  ASSERT_EQ(move.status, 200);
  EXPECT_EQ(move.body.find("value=\"deep-2\""), std::string::npos);
  EXPECT_NE(move.body.find("value=\"a\""), std::string::npos);
  // A save under the deepest page is refused; the server stays up.
  HttpResponse deeper =
      PutPage("editor", "deeper", R"({"title":"Deeper","markdown":"x","parent":"deep-30000"})");
  EXPECT_EQ(deeper.status, 400) << deeper.body;
  EXPECT_NE(deeper.body.find("at most 64 levels"), std::string::npos) << deeper.body;
  EXPECT_EQ(Client("reader").Get("/pages").status, 200);
}

}  // namespace
}  // namespace arkwiki::testing
