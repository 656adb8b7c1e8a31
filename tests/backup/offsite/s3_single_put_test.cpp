// Objects up to multipart_threshold go up in one PutObject streamed from
// the source: read in blocks (flat memory), once when the caller gives the
// hash, and sent again whole after a dropped connection or a 5xx.
#include <gtest/gtest.h>

#include "arkwiki/core/hash.h"
#include "backup/offsite/s3_test_util.h"

namespace arkwiki::testing {
namespace {

using Action = FaultRule::Action;

class S3SinglePutTest : public S3TargetTest {
 protected:
  // Above one part, under the threshold: one PutObject.
  S3TargetConfig SinglePutConfig(const FaultProxy* proxy) const {
    S3TargetConfig config = Config(proxy);
    config.multipart_threshold = 4 * kS3MinPartSize;
    return config;
  }
};

TEST_F(S3SinglePutTest, ObjectUnderTheThresholdGoesUpInOnePutReadOnceInBlocks) {
  auto proxy = StartProxy();
  auto target = Open(SinglePutConfig(proxy.get()));
  const std::string data = PatternBytes(3 * kS3MinPartSize + 5, 31);
  CountingSource source(data);
  const Status s = target->PutHashed("objects/big", source, Sha256Hex(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("PUT", "/objects/big"), 1);
  EXPECT_EQ(proxy->Count("POST", "uploads="), 0) << "no multipart upload";
  EXPECT_EQ(StateFiles(), 0);
  EXPECT_LE(source.largest_read(), size_t{1} << 20) << "streamed, not held whole";
  EXPECT_EQ(source.bytes_read(), data.size()) << "the given hash spares a second read";
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3SinglePutTest, PutWithoutAHashHashesTheSourceFirst) {
  auto target = Open(SinglePutConfig(nullptr));
  const std::string data = PatternBytes(2 * kS3MinPartSize, 32);
  CountingSource source(data);
  ASSERT_TRUE(target->Put("objects/k", source).ok());
  EXPECT_EQ(source.bytes_read(), 2 * data.size());
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/k")), Sha256Hex(data));
}

TEST_F(S3SinglePutTest, ConnectionDroppedMidPutSendsTheObjectAgainWhole) {
  auto proxy = StartProxy();
  proxy->AddRule(Rule(Action::kDropMidBody, "PUT", "/objects/big"));
  auto target = Open(SinglePutConfig(proxy.get()));
  const std::string data = PatternBytes(2 * kS3MinPartSize + 777, 33);
  const Status s = target->PutHashed("objects/big", StringSource(data), Sha256Hex(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("PUT", "/objects/big"), 2) << "dropped once, then sent again";
  EXPECT_EQ(proxy->Count("POST", "uploads="), 0);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3SinglePutTest, ServerErrorsMidPutAreRetried) {
  auto proxy = StartProxy();
  FaultRule internal = Rule(Action::kAnswer, "PUT", "/objects/big");
  internal.status = 500;
  internal.code = "InternalError";
  proxy->AddRule(internal);
  proxy->AddRule(Rule(Action::kAnswer, "PUT", "/objects/big"));  // 503 SlowDown
  auto target = Open(SinglePutConfig(proxy.get()));
  const std::string data = PatternBytes(kS3MinPartSize + 3, 34);
  const Status s = target->PutHashed("objects/big", StringSource(data), Sha256Hex(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("PUT", "/objects/big"), 3);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3SinglePutTest, ASourceThatShrinksFailsWithoutARetry) {
  auto target = Open(SinglePutConfig(nullptr));
  // Claims more bytes than it holds, as a spool file cut by someone else.
  class ShrunkSource final : public RandomAccessFile {
   public:
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      return inner_.ReadAt(offset, buf, n);
    }
    uint64_t Size() const override { return kS3MinPartSize + 100; }

   private:
    StringSource inner_{std::string(1000, 'x')};
  } source;
  const Status s = target->PutHashed("objects/k", source, Sha256Hex("whatever"));
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("changed size"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace arkwiki::testing
