#include "arkwiki/storage/page_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "arkwiki/core/env.h"
#include "arkwiki/storage/storage.h"
#include "support/result_values.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class PageStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = Storage::Open(Env::Default(), dir_.path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    storage_ = std::move(s).value();
  }
  // A save as the editor makes it; `links`: the slugs its Markdown links to.
  static SavePageRequest Request(const std::string& slug, const std::string& text,
                                 std::vector<std::string> links = {}) {
    SavePageRequest r;
    r.slug = slug;
    r.title = "Title of " + slug;
    r.markdown = text;
    r.author = "ann";
    r.linked_slugs = std::move(links);
    return r;
  }
  Result<Page> SavePage(const std::string& slug, const std::string& text,
                        std::optional<std::string> parent = std::nullopt) {
    SavePageRequest r = Request(slug, text);
    r.parent_slug = parent;
    return storage_->pages().Save(r);
  }
  PageStore& pages() { return storage_->pages(); }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(PageStoreTest, EverySaveAppendsARevision) {
  ASSERT_TRUE(SavePage("home", "one").ok());
  auto page = SavePage("home", "two");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->current_revision, 2);
  EXPECT_EQ(page->markdown, "two");
  auto revs = pages().Revisions(page->id).value();
  ASSERT_EQ(revs.size(), 2u);
  EXPECT_EQ(revs[0].number, 2);
  EXPECT_EQ(pages().GetRevision(page->id, 1)->markdown, "one");
}

TEST_F(PageStoreTest, RevertAddsANewRevisionWithOldText) {
  ASSERT_TRUE(SavePage("home", "one").ok());
  ASSERT_TRUE(SavePage("home", "two").ok());
  auto page = pages().Revert("home", 1, "bob",
                             [](const std::string&) { return std::vector<std::string>{}; });
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->current_revision, 3);
  EXPECT_EQ(page->markdown, "one");
}

// The reverted text's links replace the current ones, so backlinks follow
// the text the page shows.
TEST_F(PageStoreTest, RevertLinksWhatTheRevertedTextLinks) {
  for (const char* slug : {"target-a", "target-b"}) ASSERT_TRUE(SavePage(slug, "t").ok());
  ASSERT_TRUE(pages().Save(Request("linker", "[[Target A]]", {"target-a"})).ok());
  ASSERT_TRUE(pages().Save(Request("linker", "[[Target B]]", {"target-b"})).ok());
  std::string linked_text;
  auto reverted = pages().Revert("linker", 1, "bob", [&](const std::string& markdown) {
    linked_text = markdown;
    return std::vector<std::string>{"target-a"};
  });
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(linked_text, "[[Target A]]");
  ASSERT_EQ(pages().Backlinks("target-a", true)->size(), 1u);
  EXPECT_EQ(pages().Backlinks("target-a", true)->front().slug, "linker");
  EXPECT_TRUE(pages().Backlinks("target-b", true)->empty());
}

TEST_F(PageStoreTest, StaleBaseRevisionIsAConflict) {
  ASSERT_TRUE(SavePage("home", "one").ok());
  ASSERT_TRUE(SavePage("home", "two").ok());
  SavePageRequest r;
  r.slug = "home";
  r.title = "Home";
  r.markdown = "mine";
  r.author = "bob";
  r.base_revision = 1;
  EXPECT_EQ(pages().Save(r).status().code(), StatusCode::kConflict);
}

// An editor who loaded revision 1 of a page that was renamed meanwhile
// must not recreate it under its old slug (a duplicate page, and the
// rename's redirect gone): the save is a conflict. 0 still creates.
TEST_F(PageStoreTest, ASaveBasedOnARevisionOfAPageRenamedMeanwhileIsAConflict) {
  ASSERT_TRUE(SavePage("old", "text").ok());
  ASSERT_TRUE(pages().Rename("old", "new", "New title", "ann").ok());
  SavePageRequest r = Request("old", "my edit");
  r.base_revision = 1;
  const Status stale = pages().Save(r).status();
  EXPECT_EQ(stale.code(), StatusCode::kConflict) << stale.ToString();
  EXPECT_FALSE(pages().Get("old").ok());
  EXPECT_EQ(pages().ResolveRedirect("old").value(), "new");
  r.slug = "fresh";
  r.base_revision = 0;
  EXPECT_TRUE(pages().Save(r).ok());
}

// Saves and moves nest pages at most kMaxPageLevels deep (a top-level page
// is level 1); a move counts the levels below the moved page too.
TEST_F(PageStoreTest, RefusesNestingPagesDeeperThanTheLevelLimit) {
  ASSERT_TRUE(SavePage("p1", "x").ok());
  for (int64_t level = 2; level <= kMaxPageLevels; ++level) {
    ASSERT_TRUE(SavePage("p" + std::to_string(level), "x", "p" + std::to_string(level - 1)).ok())
        << level;
  }
  const std::string deepest = "p" + std::to_string(kMaxPageLevels);
  const Status too_deep = SavePage("below", "x", deepest).status();
  EXPECT_EQ(too_deep.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(too_deep.message().find("at most 64 levels"), std::string::npos) << too_deep.message();
  // A page with a child fits under level 62, not under level 63.
  ASSERT_TRUE(SavePage("branch", "x").ok());
  ASSERT_TRUE(SavePage("twig", "x", "branch").ok());
  MovePageRequest move;
  move.slug = "branch";
  move.parent_slug = "p" + std::to_string(kMaxPageLevels - 1);
  EXPECT_EQ(pages().Move(move).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SavePage("branch", "x2", *move.parent_slug).status().code(),
            StatusCode::kInvalidArgument);
  move.parent_slug = "p" + std::to_string(kMaxPageLevels - 2);
  ASSERT_TRUE(pages().Move(move).ok());
  EXPECT_EQ(pages().Ancestors(pages().Get("twig").value()).value().size(),
            static_cast<size_t>(kMaxPageLevels - 1));
  // Saving a page at the limit without moving it still works.
  EXPECT_TRUE(SavePage(deepest, "edited", "p" + std::to_string(kMaxPageLevels - 1)).ok());
  EXPECT_TRUE(SavePage("twig", "edited").ok());
}

// A link to a renamed page's old slug still leads to it (the redirect), so
// it is one of the page's backlinks, once however many of its slugs it names.
TEST_F(PageStoreTest, BacklinksCountLinksToARenamedPagesOldSlugs) {
  ASSERT_TRUE(SavePage("target-b", "t").ok());
  ASSERT_TRUE(pages().Save(Request("linker", "[[Target B]]", {"target-b"})).ok());
  ASSERT_TRUE(pages().Rename("target-b", "target-c", "Target C", "ann").ok());
  ASSERT_TRUE(pages().Save(Request("both", "[[Target B]]", {"target-b", "target-c"})).ok());
  auto back = pages().Backlinks("target-c", true);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].slug, "both");
  EXPECT_EQ((*back)[1].slug, "linker");
  const auto redirects = pages().Redirects().value();
  ASSERT_EQ(redirects.size(), 1u);
  EXPECT_EQ(redirects[0], std::make_pair(std::string("target-b"), std::string("target-c")));
}

// The tree may grow under a trashed page's parent meanwhile: a page whose
// parent would now put it below kMaxPageLevels comes back at the top level.
TEST_F(PageStoreTest, APageRestoredFromTheTrashStaysWithinTheLevelLimit) {
  ASSERT_TRUE(SavePage("p1", "x").ok());
  for (int64_t level = 2; level < kMaxPageLevels; ++level) {
    ASSERT_TRUE(SavePage("p" + std::to_string(level), "x", "p" + std::to_string(level - 1)).ok());
  }
  ASSERT_TRUE(SavePage("parent", "x").ok());
  ASSERT_TRUE(SavePage("child", "x", "parent").ok());
  ASSERT_TRUE(pages().MoveToTrash("child").ok());
  // "parent" fits at level 64 now that its child is in the trash.
  MovePageRequest move;
  move.slug = "parent";
  move.parent_slug = "p" + std::to_string(kMaxPageLevels - 1);
  ASSERT_TRUE(pages().Move(move).ok());
  ASSERT_TRUE(pages().RestoreFromTrash("child").ok());
  EXPECT_FALSE(pages().Get("child").value().parent_id.has_value());
  // With room, a restored page goes back under its parent.
  ASSERT_TRUE(SavePage("room", "x").ok());
  ASSERT_TRUE(SavePage("leaf", "x", "room").ok());
  ASSERT_TRUE(pages().MoveToTrash("leaf").ok());
  ASSERT_TRUE(pages().RestoreFromTrash("leaf").ok());
  EXPECT_EQ(pages().Get("leaf").value().parent_id, pages().Get("room").value().id);
}

TEST_F(PageStoreTest, ASaveForAPageWhoseSlugAnotherPageTookIsAConflict) {
  auto old = SavePage("python", "the language");
  ASSERT_TRUE(old.ok());
  ASSERT_TRUE(pages().Rename("python", "python-language", "Python language", "ann").ok());
  ASSERT_TRUE(SavePage("python", "which python?").ok());  // another page, revision 1
  SavePageRequest r = Request("python", "the language, improved");
  r.base_revision = 1;
  r.base_page_id = old->id;
  EXPECT_EQ(pages().Save(r).status().code(), StatusCode::kConflict);
  EXPECT_EQ(pages().Get("python")->markdown, "which python?");
  r.slug = "python-language";
  r.base_revision = pages().Get("python-language")->current_revision;
  EXPECT_TRUE(pages().Save(r).ok());
}

TEST_F(PageStoreTest, ANegativeBaseRevisionIsRefused) {
  SavePageRequest r = Request("new", "x");
  r.base_revision = -1;
  EXPECT_EQ(pages().Save(r).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PageStoreTest, RenameLeavesRedirect) {
  ASSERT_TRUE(SavePage("old", "text").ok());
  auto renamed = pages().Rename("old", "new", "New title", "ann");
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ(pages().ResolveRedirect("old").value(), "new");
  EXPECT_EQ(pages().Get("new")->title, "New title");
  EXPECT_FALSE(pages().Get("old").ok());
}

TEST_F(PageStoreTest, HierarchyKeepsOrderAndBreadcrumbs) {
  ASSERT_TRUE(SavePage("root", "r").ok());
  ASSERT_TRUE(SavePage("b", "b", "root").ok());
  ASSERT_TRUE(SavePage("a", "a", "root").ok());
  auto leaf = SavePage("leaf", "l", "a");
  ASSERT_TRUE(leaf.ok());
  auto root = pages().Get("root").value();
  auto kids = pages().Children(root.id, true).value();
  ASSERT_EQ(kids.size(), 2u);
  EXPECT_EQ(kids[0].slug, "b");  // creation order
  ASSERT_TRUE(pages().SetChildOrder(root.id, {"a", "b"}).ok());
  EXPECT_EQ(pages().Children(root.id, true).value()[0].slug, "a");
  auto crumbs = pages().Ancestors(*leaf).value();
  ASSERT_EQ(crumbs.size(), 2u);
  EXPECT_EQ(crumbs[0].slug, "root");
  EXPECT_EQ(crumbs[1].slug, "a");
}

TEST_F(PageStoreTest, RefusesParentCycle) {
  ASSERT_TRUE(SavePage("a", "a").ok());
  ASSERT_TRUE(SavePage("b", "b", "a").ok());
  EXPECT_EQ(SavePage("a", "a2", "b").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(PageStoreTest, TrashRestoreAndPurge) {
  ASSERT_TRUE(SavePage("gone", "searchable").ok());
  ASSERT_TRUE(pages().MoveToTrash("gone").ok());
  EXPECT_FALSE(pages().Get("gone").ok());
  EXPECT_TRUE(pages().Search("searchable", true, 10)->empty());
  EXPECT_EQ(pages().Trash()->size(), 1u);
  ASSERT_TRUE(pages().RestoreFromTrash("gone").ok());
  EXPECT_EQ(pages().Search("searchable", true, 10)->size(), 1u);
  ASSERT_TRUE(pages().MoveToTrash("gone").ok());
  ASSERT_TRUE(pages().Purge("gone").ok());
  EXPECT_FALSE(pages().Get("gone", true).ok());
}

TEST_F(PageStoreTest, SearchHidesPrivatePagesFromAnonymous) {
  SavePageRequest r;
  r.slug = "secret";
  r.title = "Secret";
  r.markdown = "launch codes";
  r.visibility = "private";
  r.author = "ann";
  ASSERT_TRUE(pages().Save(r).ok());
  EXPECT_TRUE(pages().Search("launch", false, 10)->empty());
  auto hits = pages().Search("launch", true, 10).value();
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].snippet.find("\x01"), std::string::npos);
}

TEST_F(PageStoreTest, SearchTreatsFtsSyntaxAsText) {
  ASSERT_TRUE(SavePage("p", "alpha beta").ok());
  EXPECT_TRUE(pages().Search("\"unbalanced NEAR( title:", true, 10).ok());
  EXPECT_TRUE(pages().Search("*", true, 10).ok());
}

TEST_F(PageStoreTest, RejectsInvalidInput) {
  EXPECT_EQ(SavePage("../x", "t").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SavePage("ok", std::string("a\0b", 3)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SavePage("ok", "\xff").status().code(), StatusCode::kInvalidArgument);
}

template <typename T>
size_t CountOf(const Result<std::vector<T>>& r) {
  return r.ok() ? r->size() : 0;
}

// What a page view reads, as one visitor would see the wiki.
struct ViewOfHome {
  std::string title;
  size_t listed = 0;
  size_t children = 0;
  size_t backlinks = 0;
  size_t revisions = 0;
  std::string site_title;
};

TEST_F(PageStoreTest, ReadsDoNotWaitForAWriteTransactionAndSeeOnlyCommittedRows) {
  ASSERT_TRUE(SavePage("home", "committed text").ok());
  SavePageRequest child;
  child.slug = "child";
  child.title = "Child";
  child.markdown = "back to home";
  child.author = "ann";
  child.parent_slug = "home";
  child.linked_slugs = {"home"};
  ASSERT_TRUE(pages().Save(child).ok());
  std::promise<void> held;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  // A long transaction on the one writer connection, as a save or a backup
  // snapshot holds it: its change is not committed until released.
  std::thread writer([&] {
    Status s = storage_->db().Transaction([&](Db& tx) -> Status {
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("UPDATE pages SET title = 'Uncommitted' WHERE slug = 'home'"));
      held.set_value();
      released.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  held.get_future().wait();
  auto view = std::async(std::launch::async, [&] {
    ViewOfHome v;
    auto home = pages().Get("home");
    if (!home.ok()) return v;
    v.title = home->title;
    v.listed = CountOf(pages().List(true));
    v.children = CountOf(pages().Children(home->id, true));
    v.backlinks = CountOf(pages().Backlinks("home", true));
    v.revisions = CountOf(pages().Revisions(home->id));
    auto settings = storage_->settings().Load();
    if (settings.ok()) v.site_title = settings->site_title;
    return v;
  });
  // On the writer connection these reads would wait for the transaction,
  // which ends only after this wait.
  const bool answered = view.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  release.set_value();
  writer.join();
  ASSERT_TRUE(answered) << "a read waited for the writer connection's transaction";
  const ViewOfHome v = view.get();
  EXPECT_EQ(v.title, "Title of home");
  EXPECT_EQ(v.listed, 2u);
  EXPECT_EQ(v.children, 1u);
  EXPECT_EQ(v.backlinks, 1u);
  EXPECT_EQ(v.revisions, 1u);
  EXPECT_EQ(v.site_title, SiteSettings{}.site_title);
  // Committed now: the next read sees it.
  EXPECT_EQ(pages().Get("home").value().title, "Uncommitted");
}

TEST_F(PageStoreTest, ViewConnectionsNeverCheckpoint) {
  ASSERT_TRUE(SavePage("home", "text").ok());
  const std::string wal = storage_->layout().database + "-wal";
  const auto wal_bytes = std::filesystem::file_size(wal);
  ASSERT_GT(wal_bytes, 0u);
  {
    auto lease = storage_->views().Acquire(QueryBudget{});
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    EXPECT_EQ(IntOrMinusOne(lease->db().QueryInt("SELECT count(*) FROM pages")), 1);
    EXPECT_FALSE(lease->db().Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
    EXPECT_FALSE(lease->db().Exec("DELETE FROM pages").ok());
  }
  EXPECT_EQ(std::filesystem::file_size(wal), wal_bytes);
  EXPECT_TRUE(pages().Get("home").ok());
}

TEST_F(PageStoreTest, SaveRecordsEachLinkOnce) {
  SavePageRequest r;
  r.slug = "hub";
  r.title = "Hub";
  r.markdown = "many links";
  r.author = "ann";
  for (int i = 0; i < 20000; ++i) r.linked_slugs.push_back("target-" + std::to_string(i % 5000));
  ASSERT_TRUE(pages().Save(r).ok());
  EXPECT_EQ(IntOrMinusOne(storage_->db().QueryInt("SELECT count(*) FROM page_links")), 5000);
  auto back = pages().Backlinks("target-4999", true);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].slug, "hub");
  r.linked_slugs = {"target-1"};
  ASSERT_TRUE(pages().Save(r).ok());
  EXPECT_EQ(IntOrMinusOne(storage_->db().QueryInt("SELECT count(*) FROM page_links")), 1);
}

}  // namespace
}  // namespace arkwiki
