#include "arkwiki/storage/upload_store.h"

#include <gtest/gtest.h>

#include "arkwiki/storage/storage.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class UploadStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = Storage::Open(Env::Default(), dir_.path()).value();
    SavePageRequest r;
    r.slug = "home";
    r.title = "Home";
    r.markdown = "x";
    r.author = "ann";
    page_id_ = storage_->pages().Save(r)->id;
  }
  Result<Upload> Put(const std::string& name, const std::string& data) {
    auto pending = storage_->uploads().Begin(1 << 20);
    if (!pending.ok()) return pending.status();
    ARKWIKI_RETURN_IF_ERROR((*pending)->Append(data));
    return storage_->uploads().Commit(std::move(pending).value(), page_id_, name, "text/plain",
                                      "ann");
  }
  size_t TmpFiles() { return Env::Default()->ListDir(storage_->layout().tmp)->size(); }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
  int64_t page_id_ = 0;
};

TEST_F(UploadStoreTest, StoresContentByHashAndLeavesNoTempFiles) {
  auto up = Put("a.txt", "hello");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->sha256, Sha256Hex("hello"));
  EXPECT_EQ(ReadFileToString(Env::Default(), storage_->uploads().BlobPath(up->sha256)).value(),
            "hello");
  EXPECT_EQ(TmpFiles(), 0u);
}

// Reads go to read-only view connections, which see only committed rows;
// a commit batched in the caller's transaction must still see its own row.
TEST_F(UploadStoreTest, CommitInsideATransactionReturnsTheRowItInserted) {
  Result<Upload> up = Status::NotFound("not run");
  ASSERT_TRUE(storage_->db()
                  .Transaction([&](Db&) -> Status {
                    up = Put("batched.txt", "in a transaction");
                    return up.status();
                  })
                  .ok())
      << up.status().ToString();
  EXPECT_EQ(up->name, "batched.txt");
  EXPECT_TRUE(storage_->uploads().Get(page_id_, "batched.txt").ok());
}

TEST_F(UploadStoreTest, ReplacingANameKeepsOldBlobUntilCollected) {
  auto first = Put("a.txt", "one").value();
  auto second = Put("a.txt", "two").value();
  EXPECT_NE(first.sha256, second.sha256);
  EXPECT_TRUE(Env::Default()->FileExists(storage_->uploads().BlobPath(first.sha256)).value());
  EXPECT_EQ(storage_->uploads().CollectGarbage().value(), 1);
  EXPECT_FALSE(Env::Default()->FileExists(storage_->uploads().BlobPath(first.sha256)).value());
  EXPECT_TRUE(Env::Default()->FileExists(storage_->uploads().BlobPath(second.sha256)).value());
}

TEST_F(UploadStoreTest, OversizeUploadIsRefusedAndCleanedUp) {
  {
    auto pending = storage_->uploads().Begin(4).value();
    EXPECT_EQ(pending->Append("12345").code(), StatusCode::kTooLarge);
  }
  EXPECT_EQ(TmpFiles(), 0u);
}

TEST(UploadNameTest, SanitisesClientNames) {
  EXPECT_EQ(SanitizeUploadName("C:\\Users\\me\\photo.png"), "photo.png");
  EXPECT_EQ(SanitizeUploadName("../../etc/passwd"), "passwd");
  EXPECT_EQ(SanitizeUploadName("a\"b<c>.txt"), "a_b_c_.txt");
  EXPECT_EQ(SanitizeUploadName(".."), "");
  EXPECT_EQ(SanitizeUploadName("my file (1).pdf"), "my file (1).pdf");
  EXPECT_FALSE(IsValidUploadName("../x"));
  EXPECT_FALSE(IsValidUploadName("a/b"));
}

TEST(UploadNameTest, NeverServesScriptableTypesInline) {
  EXPECT_EQ(ContentTypeForName("x.svg"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForName("x.html"), "application/octet-stream");
  EXPECT_EQ(ContentTypeForName("x.PNG"), "image/png");
}

}  // namespace
}  // namespace arkwiki
