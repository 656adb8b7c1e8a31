// The S3 target through a fault-injecting proxy in front of s3rver: dropped
// connections, late answers and 5xx/SlowDown are retried with backoff, an
// interrupted multipart upload resumes without resending finished parts,
// and 4xx answers are not retried.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <string>

#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/hash.h"
#include "backup/offsite/s3_test_util.h"

namespace arkwiki::testing {
namespace {

using Action = FaultRule::Action;
using S3TargetFaultTest = S3TargetTest;

TEST_F(S3TargetFaultTest, ConnectionDroppedMidPartResendsOnlyThatPart) {
  auto proxy = StartProxy();
  proxy->AddRule(Rule(Action::kDropMidBody, "PUT", "partNumber=2"));
  auto target = Open(Config(proxy.get()));
  const std::string data = PatternBytes(2 * kS3MinPartSize + 777, 11);
  const Status s = target->Put("objects/big", StringSource(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("PUT", "partNumber=1&"), 1);
  EXPECT_EQ(proxy->Count("PUT", "partNumber=2&"), 2) << "dropped once, then sent again";
  EXPECT_EQ(proxy->Count("PUT", "partNumber=3&"), 1);
  EXPECT_EQ(proxy->Count("POST", "uploads="), 1);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3TargetFaultTest, PartsGoUpTogetherEachOverItsOwnConnection) {
  auto proxy = StartProxy();
  // Part 1 is held until part 4 has arrived: sent one after another, part 1
  // would time out and go again.
  FaultRule hold = Rule(Action::kDelay, "PUT", "partNumber=1&");
  hold.delay_ms = 30000;
  hold.until_seen = "partNumber=4&";
  proxy->AddRule(hold);
  S3TargetConfig config = Config(proxy.get());
  config.parallel_parts = 4;
  config.io_timeout_ms = 20000;
  auto target = Open(config);
  const std::string data = PatternBytes(4 * kS3MinPartSize - 3, 13);
  const Status s = target->Put("objects/big", StringSource(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  for (const char* part : {"partNumber=1&", "partNumber=2&", "partNumber=3&", "partNumber=4&"}) {
    EXPECT_EQ(proxy->Count("PUT", part), 1) << part;
  }
  EXPECT_EQ(StateFiles(), 0);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3TargetFaultTest, NoMorePartsInFlightThanParallelParts) {
  auto proxy = StartProxy();
  // Parts 1 and 2 wait for part 3, which only a third sender could send:
  // with two, one of them must time out and go again before part 3 starts.
  for (const char* part : {"partNumber=1&", "partNumber=2&"}) {
    FaultRule hold = Rule(Action::kDelay, "PUT", part);
    hold.delay_ms = 30000;
    hold.until_seen = "partNumber=3&";
    proxy->AddRule(hold);
  }
  S3TargetConfig config = Config(proxy.get());
  config.parallel_parts = 2;
  config.io_timeout_ms = 1000;
  auto target = Open(config);
  const std::string data = PatternBytes(3 * kS3MinPartSize, 14);
  const Status s = target->Put("objects/big", StringSource(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  // Part 3 was first sent only after part 1 or 2 had timed out and gone
  // again (which one times out first is up to the scheduler).
  int resent = 0;
  for (const SeenRequest& r : proxy->Seen()) {
    if (r.target.find("partNumber=3&") != std::string::npos) break;
    if (r.target.find("partNumber=1&") != std::string::npos ||
        r.target.find("partNumber=2&") != std::string::npos) {
      ++resent;
    }
  }
  EXPECT_GE(resent, 3) << "parts 1 and 2, and one of them again, before part 3";
  EXPECT_EQ(proxy->Count("PUT", "partNumber=3&"), 1);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3TargetFaultTest, InterruptedUploadResumesFromTheStateFileInANewTarget) {
  auto proxy = StartProxy();
  // The connection stays down past the (single) attempt while part 3 goes up.
  proxy->AddRule(Rule(Action::kDropMidBody, "PUT", "partNumber=3&"));
  S3TargetConfig config = Config(proxy.get());
  config.max_attempts = 1;
  const std::string data = PatternBytes(3 * kS3MinPartSize + 99, 12);
  {
    auto first = Open(config);
    const Status s = first->Put("objects/big", StringSource(data));
    EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
    EXPECT_EQ(first->Stat("objects/big").status().code(), StatusCode::kNotFound)
        << "no part of an unfinished object is visible";
  }
  EXPECT_EQ(StateFiles(), 1);
  // As after a restart: a new target, the same state directory.
  auto second = Open(config);
  const Status s = second->Put("objects/big", StringSource(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("POST", "uploads="), 1) << "the same upload id was reused";
  EXPECT_EQ(proxy->Count("PUT", "partNumber=1&"), 1);
  EXPECT_EQ(proxy->Count("PUT", "partNumber=2&"), 1);
  EXPECT_EQ(proxy->Count("PUT", "partNumber=3&"), 2);
  EXPECT_EQ(proxy->Count("PUT", "partNumber=4&"), 1);
  EXPECT_EQ(StateFiles(), 0);
  EXPECT_EQ(Sha256Hex(Fetch(second.get(), "objects/big")), Sha256Hex(data));
}

// Cancelled while a part waits out a long backoff (or is still on the
// way), the upload stops at once with its state kept, and a later Put
// resumes it without sending part 1 again.
TEST_F(S3TargetFaultTest, CancelEndsTheWaitBeforeARetryAndTheUploadResumesLater) {
  auto proxy = StartProxy();
  proxy->AddRule(Rule(Action::kAnswer, "PUT", "partNumber=2&"));  // 503 SlowDown once
  S3TargetConfig config = Config(proxy.get());
  config.parallel_parts = 1;
  config.initial_backoff_ms = 1800000;  // half an hour, unless cancelled
  config.max_backoff_ms = 3600000;
  config.request_deadline_ms = 7200000;
  const std::string data = PatternBytes(2 * kS3MinPartSize + 1, 15);
  Cancellation cancel;
  config.cancel = &cancel;
  auto first = Open(config);
  auto putting =
      std::async(std::launch::async, [&] { return first->Put("objects/big", StringSource(data)); });
  ASSERT_TRUE(proxy->WaitUntilSeen("PUT", "partNumber=2&", 1, std::chrono::minutes(2)));
  cancel.Cancel("server stopping");
  const Status s = putting.get();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_NE(s.message().find("cancelled: server stopping"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("PUT", "partNumber=2&"), 1) << "not retried after the cancel";
  EXPECT_EQ(StateFiles(), 1);
  config.cancel = nullptr;
  auto second = Open(config);
  ASSERT_TRUE(second->Put("objects/big", StringSource(data)).ok());
  EXPECT_EQ(proxy->Count("PUT", "partNumber=1&"), 1);
  EXPECT_EQ(proxy->Count("PUT", "partNumber=2&"), 2);
  EXPECT_EQ(proxy->Count("POST", "uploads="), 1);
  EXPECT_EQ(Sha256Hex(Fetch(second.get(), "objects/big")), Sha256Hex(data));
}

TEST_F(S3TargetFaultTest, ChangedSourceIsNotStitchedFromOldParts) {
  auto proxy = StartProxy();
  proxy->AddRule(Rule(Action::kDropMidBody, "PUT", "partNumber=2&"));
  S3TargetConfig config = Config(proxy.get());
  config.max_attempts = 1;
  const size_t size = 2 * kS3MinPartSize + 5;
  EXPECT_FALSE(Open(config)->Put("objects/big", StringSource(PatternBytes(size, 1))).ok());
  // Same key and size, other bytes: part 1 differs, so it is sent again.
  const std::string changed = PatternBytes(size, 2);
  auto target = Open(config);
  ASSERT_TRUE(target->Put("objects/big", StringSource(changed)).ok());
  EXPECT_EQ(proxy->Count("PUT", "partNumber=1&"), 2);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/big")), Sha256Hex(changed));
}

// A source whose bytes change once `after` bytes have been read from it:
// the part first hashed, then sent, now differs between the two reads.
class ChangingSource final : public RandomAccessFile {
 public:
  ChangingSource(std::string data, uint64_t after) : data_(std::move(data)), after_(after) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    const std::lock_guard<std::mutex> lock(mu_);
    if (read_ >= after_ && !changed_) {
      data_[0] = static_cast<char>(data_[0] ^ 0x01);
      changed_ = true;
    }
    if (offset >= data_.size()) return size_t{0};
    const size_t k = std::min<size_t>(n, data_.size() - offset);
    data_.copy(buf, k, offset);
    read_ += k;
    return k;
  }
  uint64_t Size() const override { return data_.size(); }

 private:
  mutable std::mutex mu_;
  mutable std::string data_;
  const uint64_t after_;
  mutable uint64_t read_ = 0;
  mutable bool changed_ = false;
};

TEST_F(S3TargetFaultTest, APartWhoseBytesChangeAfterHashingIsRefusedNotStored) {
  auto proxy = StartProxy();
  S3TargetConfig config = Config(proxy.get());
  config.parallel_parts = 1;  // part 1 is hashed before anything else is read
  config.max_attempts = 2;
  ChangingSource source(PatternBytes(2 * kS3MinPartSize + 5, 3), kS3MinPartSize);
  auto target = Open(config);
  const Status s = target->Put("objects/big", source);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("other bytes than were hashed"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("PUT", "partNumber=1&"), 2) << "retried, the file read again";
  EXPECT_EQ(proxy->Count("POST", "uploadId="), 0) << "never completed";
  EXPECT_EQ(target->Stat("objects/big").status().code(), StatusCode::kNotFound);
}

TEST_F(S3TargetFaultTest, SlowDownAndServerErrorsAreRetriedWithGrowingWaits) {
  auto proxy = StartProxy();
  FaultRule slow_down = Rule(Action::kAnswer, "PUT", "/objects/k", 2);
  proxy->AddRule(slow_down);  // 503 SlowDown, twice
  FaultRule internal = Rule(Action::kAnswer, "GET", "/objects/k");
  internal.status = 500;
  internal.code = "InternalError";
  proxy->AddRule(internal);
  S3TargetConfig config = Config(proxy.get());
  config.initial_backoff_ms = 100;
  config.max_backoff_ms = 1000;
  auto target = Open(config);
  const auto start = std::chrono::steady_clock::now();
  const Status s = target->Put("objects/k", StringSource("payload"));
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 3);
  // Waits of at least half of 200 ms, then of 400 ms.
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_EQ(Fetch(target.get(), "objects/k"), "payload");
  EXPECT_EQ(proxy->Count("GET", "/objects/k"), 2);
}

TEST_F(S3TargetFaultTest, ServerThatStaysDownEndsAsIoErrorAfterTheAttempts) {
  auto proxy = StartProxy();
  proxy->AddRule(Rule(Action::kAnswer, "PUT", "/objects/k", 100));
  S3TargetConfig config = Config(proxy.get());
  config.max_attempts = 3;
  const Status s = Open(config)->Put("objects/k", StringSource("payload"));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("after 3 attempts"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("SlowDown"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 3);
}

TEST_F(S3TargetFaultTest, LateAnswerTimesOutAndIsRetried) {
  auto proxy = StartProxy();
  FaultRule late = Rule(Action::kDelay, "GET", "/objects/k");
  late.delay_ms = 5000;  // the proxy's Stop() ends the wait early
  S3TargetConfig config = Config(proxy.get());
  // Long enough for the retry to be answered on a loaded machine.
  config.io_timeout_ms = 1000;
  auto target = Open(config);
  ASSERT_TRUE(target->Put("objects/k", StringSource("payload")).ok());
  proxy->AddRule(late);
  EXPECT_EQ(Fetch(target.get(), "objects/k"), "payload");
  EXPECT_EQ(proxy->Count("GET", "/objects/k"), 2);
}

TEST_F(S3TargetFaultTest, DownloadCutOffMidAnswerResumesWithARangeRequest) {
  auto proxy = StartProxy();
  auto target = Open(Config(proxy.get()));
  const std::string data = PatternBytes(size_t{3} << 20, 21);
  ASSERT_TRUE(target->Put("objects/k", StringSource(data)).ok());
  FaultRule cut = Rule(Action::kDropMidAnswer, "GET", "/objects/k");
  cut.answer_bytes = int64_t{1} << 20;
  proxy->AddRule(cut);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/k")), Sha256Hex(data));
  std::vector<SeenRequest> gets;
  for (const SeenRequest& r : proxy->Seen()) {
    if (r.method == "GET") gets.push_back(r);
  }
  ASSERT_EQ(gets.size(), 2u);
  EXPECT_EQ(gets[0].range, "");
  // The retry asks only for what had not arrived (less than 1 MiB came).
  ASSERT_EQ(gets[1].range.rfind("bytes=", 0), 0u) << gets[1].range;
  const uint64_t from = std::stoull(gets[1].range.substr(6));
  EXPECT_GT(from, 0u);
  EXPECT_LT(from, uint64_t{1} << 20);
}

TEST_F(S3TargetFaultTest, ClientErrorsAreNotRetried) {
  auto proxy = StartProxy();
  FaultRule refused = Rule(Action::kAnswer, "PUT", "/objects/k");
  refused.status = 403;
  refused.code = "SignatureDoesNotMatch";
  proxy->AddRule(refused);
  const Status s = Open(Config(proxy.get()))->Put("objects/k", StringSource("payload"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("check the secret key"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 1);
}

}  // namespace
}  // namespace arkwiki::testing
