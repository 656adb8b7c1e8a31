// Page HTML rendered once per text (DATA/cache/render): a view always shows
// the page's current text, through edits, an import, and the cache's own
// deletion; links to missing pages follow the pages that exist now; no
// backup carries the cache.
#include <filesystem>

#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

class RenderCacheWebTest : public BackupWebFixture {
 protected:
  std::string View(const std::string& slug) {
    HttpResponse r = Client().Get("/wiki/" + slug);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }
  static bool Has(const std::string& html, const std::string& text) {
    return html.find(text) != std::string::npos;
  }
};

TEST_F(RenderCacheWebTest, ViewAfterAnImportShowsTheImportedText) {
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"*version one*"})").status,
            201);
  EXPECT_TRUE(Has(View("alpha"), "<em>version one</em>"));
  HttpResponse backup = ApiBackup();
  ASSERT_EQ(backup.status, 200);
  EXPECT_FALSE(Has(backup.body, "cache/"));  // entry names are stored in the clear
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"*version two*"})").status,
            200);
  EXPECT_TRUE(Has(View("alpha"), "<em>version two</em>"));
  ASSERT_EQ(ApiRestore(backup.body).status, 200);
  std::string html = View("alpha");
  EXPECT_TRUE(Has(html, "<em>version one</em>"));
  EXPECT_FALSE(Has(html, "version two"));
}

TEST_F(RenderCacheWebTest, MissingPageMarksFollowThePagesThatExistNow) {
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"see [[Beta]]"})").status,
            201);
  EXPECT_TRUE(Has(View("alpha"), R"(<a class="missing" href="/wiki/beta">)"));
  ASSERT_EQ(PutPage("editor", "beta", R"({"title":"Beta","markdown":"here"})").status, 201);
  std::string html = View("alpha");
  EXPECT_TRUE(Has(html, R"(<a href="/wiki/beta">)"));
  EXPECT_FALSE(Has(html, "missing"));
}

TEST_F(RenderCacheWebTest, DeletingTheCacheWhileServingIsHarmless) {
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"**kept**"})").status, 201);
  EXPECT_TRUE(std::filesystem::exists(data_ + "/cache/render"));
  std::filesystem::remove_all(data_ + "/cache");
  EXPECT_TRUE(Has(View("alpha"), "<strong>kept</strong>"));
  EXPECT_TRUE(Has(View("alpha"), "<strong>kept</strong>"));
  EXPECT_TRUE(std::filesystem::exists(data_ + "/cache/render"));
}

TEST_F(RenderCacheWebTest, UnwritableCacheStillServesPages) {
  std::filesystem::remove_all(data_ + "/cache");
  std::ofstream(data_ + "/cache") << "not a directory";
  ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"**shown**"})").status, 201);
  EXPECT_TRUE(Has(View("alpha"), "<strong>shown</strong>"));
}

}  // namespace
}  // namespace arkwiki::testing
