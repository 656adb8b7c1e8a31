// RenderCache: a text is rendered once; entries of another renderer
// version, damaged entries and planted HTML are never served; a cache that
// cannot be used degrades to rendering.
#include "render_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "arkwiki/core/hash.h"
#include "support/temp_dir.h"

namespace arkwiki::web {
namespace {

class RenderCacheTest : public ::testing::Test {
 protected:
  RenderCache::Options Counting(const std::string& version = "test-1") {
    RenderCache::Options options;
    options.version = version;
    options.render = [this](std::string_view markdown) {
      ++renders_;
      return RenderMarkdownBase(markdown);
    };
    return options;
  }
  static std::string ReadFile(const std::string& path) {
    auto data = ReadFileToString(Env::Default(), path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  static void WriteFile(const std::string& path, const std::string& data) {
    auto file = Env::Default()->NewWritableFile(path, CreateMode::kTruncate);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  testing::TempDir dir_;
  std::string root_ = dir_.Sub("cache/render");
  int renders_ = 0;
};

TEST_F(RenderCacheTest, SecondGetOfTheSameTextDoesNotRenderAgain) {
  RenderCache cache(Env::Default(), root_, Counting());
  RenderedMarkdown first = cache.Get("# Hello [[World]]");
  RenderedMarkdown again = cache.Get("# Hello [[World]]");
  EXPECT_EQ(renders_, 1);
  EXPECT_EQ(again.html, first.html);
  EXPECT_EQ(again.linked_slugs, std::vector<std::string>{"world"});
  EXPECT_EQ(again.html, RenderMarkdownBase("# Hello [[World]]").html);
}

TEST_F(RenderCacheTest, EntriesSurviveARestartOfTheServer) {
  RenderCache(Env::Default(), root_, Counting()).Get("*kept*");
  RenderCache reopened(Env::Default(), root_, Counting());
  EXPECT_EQ(reopened.Get("*kept*").html, "<p><em>kept</em></p>\n");
  EXPECT_EQ(renders_, 1);
}

TEST_F(RenderCacheTest, AnotherTextIsAnotherEntry) {
  RenderCache cache(Env::Default(), root_, Counting());
  EXPECT_EQ(cache.Get("one").html, "<p>one</p>\n");
  EXPECT_EQ(cache.Get("two").html, "<p>two</p>\n");
  EXPECT_EQ(renders_, 2);
  EXPECT_NE(cache.Key("one"), cache.Key("two"));
}

TEST_F(RenderCacheTest, ANewRendererVersionRendersAgainAndDropsTheOldEntries) {
  RenderCache(Env::Default(), root_, Counting("test-1")).Get("text");
  ASSERT_TRUE(std::filesystem::exists(root_ + "/test-1"));
  RenderCache cache(Env::Default(), root_, Counting("test-2"));
  EXPECT_EQ(cache.Get("text").html, "<p>text</p>\n");
  EXPECT_EQ(renders_, 2);
  EXPECT_FALSE(std::filesystem::exists(root_ + "/test-1"));
  EXPECT_NE(cache.Key("text"), RenderCache(Env::Default(), root_, Counting("test-1")).Key("text"));
}

TEST_F(RenderCacheTest, DamagedEntryIsRenderedAgainAndRewritten) {
  const std::string path = RenderCache(Env::Default(), root_, Counting()).EntryPath("fine");
  RenderCache(Env::Default(), root_, Counting()).Get("fine");
  std::string good = ReadFile(path);
  for (const std::string& damage :
       {std::string(), good.substr(0, good.size() - 3), good + "x", std::string("\0\0\0", 3)}) {
    WriteFile(path, damage);
    RenderCache cache(Env::Default(), root_, Counting());
    EXPECT_EQ(cache.Get("fine").html, "<p>fine</p>\n");
    EXPECT_EQ(ReadFile(path), good);
  }
  EXPECT_EQ(renders_, 5);
}

TEST_F(RenderCacheTest, PlantedHtmlWithAValidChecksumIsNeverServed) {
  RenderCache cache(Env::Default(), root_, Counting());
  const std::string key = cache.Key("harmless");
  const std::string body = "0\n<script>alert(1)</script>";
  std::filesystem::create_directories(root_ + "/test-1");
  WriteFile(cache.EntryPath("harmless"),
            "arkwiki-render-cache test-1\n" + key + "\n" + Sha256Hex(body) + "\n" + body);
  RenderCache reopened(Env::Default(), root_, Counting());
  EXPECT_EQ(reopened.Get("harmless").html, "<p>harmless</p>\n");
  EXPECT_EQ(renders_, 1);
}

TEST_F(RenderCacheTest, EntryOfAnotherTextUnderThisTextsNameIsNotServed) {
  RenderCache cache(Env::Default(), root_, Counting());
  cache.Get("other");
  std::filesystem::copy_file(cache.EntryPath("other"), cache.EntryPath("mine"));
  RenderCache reopened(Env::Default(), root_, Counting());
  EXPECT_EQ(reopened.Get("mine").html, "<p>mine</p>\n");
}

TEST_F(RenderCacheTest, UnusableDirectoryDegradesToRendering) {
  WriteFile(dir_.Sub("cache"), "a file where the directory should be");
  RenderCache cache(Env::Default(), root_, Counting());
  EXPECT_EQ(cache.Get("still shown").html, "<p>still shown</p>\n");
  EXPECT_EQ(cache.Get("still shown").html, "<p>still shown</p>\n");
  EXPECT_EQ(renders_, 2);
}

TEST_F(RenderCacheTest, DeletedDirectoryIsCreatedAgain) {
  RenderCache cache(Env::Default(), root_, Counting());
  cache.Get("before");
  std::filesystem::remove_all(dir_.Sub("cache"));
  cache.Get("after");
  cache.Get("after");
  EXPECT_EQ(renders_, 2);
}

TEST_F(RenderCacheTest, LeastRecentlyUsedEntriesGoPastTheCap) {
  RenderCache::Options options = Counting();
  options.max_entries = 2;
  RenderCache cache(Env::Default(), root_, options);
  cache.Get("a");
  cache.Get("b");
  cache.Get("a");  // b is now the least recently used
  cache.Get("c");
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(cache.EntryPath("b")));
  EXPECT_TRUE(std::filesystem::exists(cache.EntryPath("a")));
  renders_ = 0;
  cache.Get("a");
  cache.Get("c");
  EXPECT_EQ(renders_, 0);
}

TEST_F(RenderCacheTest, ByteCapBoundsTheDirectory) {
  RenderCache::Options options = Counting();
  options.max_bytes = 4096;
  RenderCache cache(Env::Default(), root_, options);
  for (int i = 0; i < 50; ++i) cache.Get(std::string(200, 'a') + std::to_string(i));
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(root_ + "/test-1")) {
    total += e.file_size();
  }
  EXPECT_LE(total, 4096u);
  EXPECT_GT(cache.size(), 0u);
}

TEST_F(RenderCacheTest, LeftoverTemporaryFilesAreRemovedOnOpen) {
  std::filesystem::create_directories(root_ + "/test-1");
  WriteFile(root_ + "/test-1/abc.tmp-7", "half");
  RenderCache cache(Env::Default(), root_, Counting());
  cache.Get("x");
  EXPECT_FALSE(std::filesystem::exists(root_ + "/test-1/abc.tmp-7"));
}

TEST_F(RenderCacheTest, OverBudgetRenderingIsNotStored) {
  RenderCache::Options options = Counting();
  options.render = [this](std::string_view) {
    ++renders_;
    RenderedMarkdown cut;
    cut.html = "<pre>slow</pre>\n";
    cut.over_budget = true;
    return cut;
  };
  RenderCache cache(Env::Default(), root_, options);
  cache.Get("slow");
  cache.Get("slow");
  EXPECT_EQ(renders_, 2);
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace arkwiki::web
