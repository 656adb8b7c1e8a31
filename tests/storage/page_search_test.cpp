#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "arkwiki/core/env.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/storage/page_store.h"
#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

std::string Repeat(const std::string& word, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += word;
  return out;
}

// Makes a search stop at its first progress callback until released, so a
// test knows it is running and can act meanwhile.
class MeetingPoint {
 public:
  QueryBudget Budget() {
    QueryBudget budget;
    budget.progress_opcodes = 1;
    budget.time = std::chrono::hours(1);
    budget.on_progress = [this] {
      if (met_) return;
      met_ = true;
      reached_.set_value();
      release_future_.wait();
    };
    return budget;
  }
  void WaitUntilReached() { reached_.get_future().wait(); }
  void Release() { release_.set_value(); }

 private:
  bool met_ = false;  // touched only by the searching thread
  std::promise<void> reached_;
  std::promise<void> release_;
  std::shared_future<void> release_future_ = release_.get_future().share();
};

class PageSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Storage::Open(Env::Default(), dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    storage_ = std::move(s).value();
  }
  void SavePage(const std::string& slug, const std::string& text) {
    SavePageRequest r;
    r.slug = slug;
    r.title = "Title of " + slug;
    r.markdown = text;
    r.author = "ann";
    ASSERT_TRUE(storage_->pages().Save(r).ok());
  }
  Result<SearchResult> Search(const std::string& query, QueryBudget budget = {}) {
    return storage_->pages().Search(SearchRequest{query, true, 50, std::move(budget)});
  }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(PageSearchTest, RunningSearchDoesNotBlockPageReadsOrWriter) {
  SavePage("home", "welcome quux");
  MeetingPoint meet;
  auto search = std::async(std::launch::async, [&] { return Search("quux", meet.Budget()); });
  meet.WaitUntilReached();
  // The search is stopped mid-query; the writer connection is free.
  ASSERT_TRUE(storage_->db().lock().try_lock());
  storage_->db().lock().unlock();
  auto page = storage_->pages().Get("home");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(storage_->reads().running(), 1);
  meet.Release();
  auto result = search.get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->truncated);
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_EQ(result->hits[0].slug, "home");
}

TEST_F(PageSearchTest, PathologicalPageStopsAtWorkBudget) {
  SavePage("many", Repeat("quux ", 40000));
  QueryBudget budget;
  budget.progress_opcodes = 1;
  budget.max_steps = 3;
  auto result = Search("quux quux quux", budget);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->stop, QueryStop::kWork);
}

TEST_F(PageSearchTest, StopsAtDeadlineOfItsClock) {
  SavePage("many", Repeat("quux ", 40000));
  // A clock that moves a second each time it is read: the deadline passes
  // after a few callbacks however fast the machine is.
  auto fake_now = std::make_shared<QueryBudget::Clock::time_point>();
  QueryBudget budget;
  budget.progress_opcodes = 1;
  budget.time = std::chrono::seconds(5);
  budget.now = [fake_now] { return *fake_now += std::chrono::seconds(1); };
  auto result = Search("quux", budget);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->stop, QueryStop::kTime);
}

TEST_F(PageSearchTest, ShutdownInterruptsRunningSearchAndRefusesNewOnes) {
  SavePage("home", "welcome quux");
  MeetingPoint meet;
  auto search = std::async(std::launch::async, [&] { return Search("quux", meet.Budget()); });
  meet.WaitUntilReached();
  storage_->reads().Shutdown();
  meet.Release();
  auto result = search.get();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->truncated);
  EXPECT_EQ(result->stop, QueryStop::kShutdown);
  auto later = Search("quux");
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.status().code(), StatusCode::kBusy);
}

TEST_F(PageSearchTest, PathologicalPageGetsABoundedSnippet) {
  SavePage("many", Repeat("quux ", 40000));
  auto result = Search("quux quux quux");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->truncated);
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_NE(result->hits[0].snippet.find("\x01quux\x02"), std::string::npos);
}

TEST_F(PageSearchTest, DeduplicatesTermsAndDropsImpliedPrefixes) {
  SavePage("home", "quuxes here");
  auto result = Search("Quux quux QUUX qu quuxes \"quux\"");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->terms, std::vector<std::string>{"quuxes"});
  EXPECT_EQ(result->ignored_terms, 0);
  EXPECT_EQ(result->hits.size(), 1u);
}

TEST_F(PageSearchTest, CapsTermCountAndLength) {
  std::string query;
  for (int i = 0; i < 40; ++i) query += "w" + std::to_string(i) + "x ";
  auto many = Search(query);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->terms.size(), kMaxSearchTerms);
  EXPECT_EQ(many->ignored_terms, 40 - static_cast<int64_t>(kMaxSearchTerms));

  auto long_ascii = Search(std::string(200, 'a'));
  ASSERT_TRUE(long_ascii.ok());
  ASSERT_EQ(long_ascii->terms.size(), 1u);
  EXPECT_EQ(long_ascii->terms[0], std::string(kMaxSearchTermBytes, 'a'));

  // 'a' then 40 two-byte characters: the cut falls inside one and backs off.
  auto long_utf8 = Search("a" + Repeat("\xC3\xA9", 40));
  ASSERT_TRUE(long_utf8.ok());
  ASSERT_EQ(long_utf8->terms.size(), 1u);
  EXPECT_EQ(long_utf8->terms[0].size(), kMaxSearchTermBytes - 1);
  EXPECT_TRUE(IsValidUtf8(long_utf8->terms[0]));
}

TEST_F(PageSearchTest, ControlCharactersInTextDoNotFakeHighlights) {
  SavePage("home",
           "plain \x01"
           "fake\x02 words and \x03 then quux");
  auto result = Search("quux");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->hits.size(), 1u);
  const std::string& snippet = result->hits[0].snippet;
  EXPECT_EQ(std::count(snippet.begin(), snippet.end(), '\x01'), 1) << snippet;
  EXPECT_EQ(std::count(snippet.begin(), snippet.end(), '\x02'), 1) << snippet;
  EXPECT_EQ(snippet.find('\x03'), std::string::npos);
  EXPECT_NE(snippet.find("\x01quux\x02"), std::string::npos);
}

TEST_F(PageSearchTest, InvalidUtf8InQueryIsReplaced) {
  SavePage("home", "welcome quux");
  auto result = Search(
      "qu\xff"
      "ux \xC0\xAF");
  ASSERT_TRUE(result.ok());
  for (const std::string& t : result->terms) EXPECT_TRUE(IsValidUtf8(t)) << t;
}

TEST_F(PageSearchTest, TitleOnlyMatchGetsTheFirstWordsAsSnippet) {
  SavePage("quuxpage", "some text without the word");
  auto result = Search("title of quuxpage");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->hits.size(), 1u);
  EXPECT_EQ(result->hits[0].snippet, "some text without the word");
}

}  // namespace
}  // namespace arkwiki
