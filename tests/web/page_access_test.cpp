// The save path (LinkedSlugs) stores the page's rendering, and the view
// path (the app's RenderCache, which PageHtml reads) serves that stored
// rendering instead of rendering again.
#include "page_access.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "arkwiki/core/hash.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::web {
namespace {

TEST(PageAccessTest, ViewAfterASaveServesWhatTheSaveRendered) {
  testing::TempDir dir;
  testing::SeedWikiAt(dir.Sub("data"), "a");
  auto storage = Storage::Open(Env::Default(), dir.Sub("data"));
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  WikiApp app(Env::Default(), std::move(storage).value());
  const std::string markdown = "Hello [[World]]";

  EXPECT_EQ(LinkedSlugs(app, markdown), std::vector<std::string>{"world"});
  const std::string path = app.render_cache().EntryPath(markdown);
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(path.rfind(dir.Sub("data/cache/render/"), 0) == 0) << path;

  // Swap the stored HTML for a marker: a view that rendered again would not
  // show it.
  const std::string body = "1\nworld\n<p>as stored at save</p>\n";
  auto file = Env::Default()->NewWritableFile(path, CreateMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)
                  ->Append("arkwiki-render-cache " + std::string(kMarkdownRendererVersion) + "\n" +
                           app.render_cache().Key(markdown) + "\n" + Sha256Hex(body) + "\n" + body)
                  .ok());
  ASSERT_TRUE((*file)->Close().ok());
  RenderedMarkdown viewed = app.render_cache().Get(markdown);
  EXPECT_EQ(viewed.html, "<p>as stored at save</p>\n");
  EXPECT_EQ(viewed.linked_slugs, std::vector<std::string>{"world"});
}

}  // namespace
}  // namespace arkwiki::web
