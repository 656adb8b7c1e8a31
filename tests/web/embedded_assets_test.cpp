#include "embedded_assets.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "template.h"

namespace arkwiki {
namespace {

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(ARKWIKI_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TemplateValue LayoutData() {
  TemplateValue data;
  data.Set("theme", "dark")
      .Set("timezone", "Asia/Tokyo\"x")
      .Set("site_title", "My <Wiki>")
      .Set("page_title", "Home & \"away\"");
  data.Set("csrf", "tok\"en").Set("query", "q'x").Set("content", "<p>body</p>");
  return data;
}

}  // namespace

TEST(EmbeddedAssetsTest, EmbedsTheSourceFilesByteForByte) {
  EXPECT_EQ(EmbeddedTemplate("layout"), ReadSource("src/web/templates/layout.html"));
  EXPECT_EQ(EmbeddedTemplate("error"), ReadSource("src/web/templates/error.html"));
  EXPECT_EQ(EmbeddedAsset("style.css"), ReadSource("src/web/assets/style.css"));
  EXPECT_EQ(EmbeddedTemplate("nope"), "");
  EXPECT_EQ(EmbeddedAsset("nope.css"), "");
}

TEST(EmbeddedAssetsTest, ListsTemplatesSorted) {
  std::vector<std::string> names = EmbeddedTemplateNames();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* name : {"layout", "error", "message"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

TEST(EmbeddedAssetsTest, AllTemplatesCompile) {
  TemplateSet set;
  Status s = AddEmbeddedTemplates(&set);
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const std::string& name : EmbeddedTemplateNames()) EXPECT_TRUE(set.Has(name)) << name;
}

TEST(EmbeddedAssetsTest, LayoutEscapesDataAndShowsRoleLinks) {
  TemplateSet set;
  ASSERT_TRUE(AddEmbeddedTemplates(&set).ok());
  TemplateValue data = LayoutData();
  Result<std::string> guest = set.Render("layout", data);
  ASSERT_TRUE(guest.ok()) << guest.status().ToString();
  EXPECT_EQ(guest->rfind("<!DOCTYPE html>\n", 0), 0u) << "the leading comment leaves no blank line";
  EXPECT_NE(
      guest->find("<html lang=\"en\" data-theme=\"dark\" data-timezone=\"Asia/Tokyo&quot;x\">"),
      std::string::npos);
  EXPECT_NE(guest->find("<title>Home &amp; &quot;away&quot; · My &lt;Wiki&gt;</title>"),
            std::string::npos);
  EXPECT_NE(guest->find("value=\"q&#39;x\""), std::string::npos);
  EXPECT_NE(guest->find("<p>body</p>"), std::string::npos);
  EXPECT_NE(guest->find("href=\"/login\""), std::string::npos);
  EXPECT_EQ(guest->find("/settings"), std::string::npos);
  EXPECT_EQ(guest->find("/trash"), std::string::npos);
  // Scripts only from our own assets, never inline (the CSP forbids it).
  EXPECT_NE(guest->find("<script src=\"/assets/time.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(guest->find("<script>"), std::string::npos);

  data.Set("user", TemplateValue::MakeMap({{"name", "<ann>"}}))
      .Set("is_editor", true)
      .Set("is_admin", true);
  data.Set("flash", TemplateValue::MakeMap({{"kind", "success"}, {"text", "Saved <ok>"}}));
  Result<std::string> admin = set.Render("layout", data);
  ASSERT_TRUE(admin.ok());
  EXPECT_NE(admin->find("&lt;ann&gt;"), std::string::npos);
  EXPECT_NE(admin->find("href=\"/settings\""), std::string::npos);
  EXPECT_NE(admin->find("href=\"/trash\""), std::string::npos);
  EXPECT_NE(admin->find("name=\"csrf\" value=\"tok&quot;en\""), std::string::npos);
  EXPECT_NE(admin->find("method=\"post\" action=\"/logout\""), std::string::npos);
  EXPECT_NE(admin->find("class=\"flash flash-success\" role=\"status\">Saved &lt;ok&gt;"),
            std::string::npos);
  EXPECT_EQ(admin->find("href=\"/login\""), std::string::npos);
}

TEST(EmbeddedAssetsTest, StylesheetStaysOnThisHost) {
  std::string_view css = EmbeddedAsset("style.css");
  EXPECT_NE(css.find("[data-theme=\"dark\"]"), std::string_view::npos);
  EXPECT_NE(css.find("prefers-color-scheme: dark"), std::string_view::npos);
  EXPECT_EQ(css.find("@import"), std::string_view::npos);
  EXPECT_EQ(css.find("url("), std::string_view::npos);
  EXPECT_EQ(css.find("http"), std::string_view::npos);
}

}  // namespace arkwiki
