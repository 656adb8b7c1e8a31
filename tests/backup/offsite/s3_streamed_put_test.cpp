// PutStreamed: an object produced as it is sent goes up in one PutObject
// signed UNSIGNED-PAYLOAD, checked by the MD5 of the bytes sent against the
// answer's ETag; a source that fails or falls short cuts the body, so the
// server stores nothing; cancellation and the deadline reach the body.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/hash.h"
#include "backup/offsite/s3_test_util.h"
#include "offsite/s3_streamed_body.h"
#include "support/wait_until.h"

namespace arkwiki::testing {
namespace {

using Action = FaultRule::Action;

// Writes `data` in pieces of `piece` bytes; `after_first` runs after the
// first piece of each attempt (a test's hook into the middle of a body).
class PatternObject final : public StreamedObject {
 public:
  PatternObject(std::string data, size_t piece) : data_(std::move(data)), piece_(piece) {}
  uint64_t Size() const override { return data_.size() + extra_size_; }
  Status WriteTo(ByteSink* out) override {
    ++attempts;
    for (size_t at = 0; at < data_.size(); at += piece_) {
      if (at > 0 && fail_at_ > 0 && at >= fail_at_) {
        return Status::Corruption("the test's source no longer matches");
      }
      ARKWIKI_RETURN_IF_ERROR(out->Write(std::string_view(data_).substr(at, piece_)));
      if (at == 0 && after_first) after_first();
    }
    return Status::Ok();
  }
  // Fails once `at` bytes are written, before the rest.
  void FailAt(size_t at) { fail_at_ = at; }
  // Announces `n` bytes more than it writes.
  void ClaimExtra(uint64_t n) { extra_size_ = n; }
  std::function<void()> after_first;
  int attempts = 0;

 private:
  std::string data_;
  size_t piece_;
  size_t fail_at_ = 0;
  uint64_t extra_size_ = 0;
};

FaultRule Raw(const std::string& method, const std::string& target_contains,
              const std::string& answer, int times) {
  FaultRule rule;
  rule.action = Action::kRawAnswer;
  rule.method = method;
  rule.target_contains = target_contains;
  rule.raw_answer = answer;
  rule.times = times;
  return rule;
}

std::string PutAnswer(const std::string& etag, const std::string& more_headers = "") {
  return "HTTP/1.1 200 OK\r\nETag: " + etag + "\r\n" + more_headers + "Content-Length: 0\r\n\r\n";
}

class S3StreamedPutTest : public S3TargetTest {
 protected:
  S3TargetConfig StreamConfig(const FaultProxy* proxy) const {
    S3TargetConfig config = Config(proxy);
    config.multipart_threshold = 4 * kS3MinPartSize;
    return config;
  }
  static bool Absent(OffsiteTarget* target, const std::string& key) {
    const auto stat = target->Stat(key);
    EXPECT_EQ(stat.status().code(), StatusCode::kNotFound)
        << key << ": " << (stat.ok() ? std::to_string(*stat) + " bytes" : stat.status().ToString());
    return stat.status().code() == StatusCode::kNotFound;
  }
};

TEST_F(S3StreamedPutTest, AnObjectGoesUpAsWrittenInOnePutAndIsStoredByteForByte) {
  auto proxy = StartProxy();
  auto target = Open(StreamConfig(proxy.get()));
  ASSERT_EQ(target->MaxStreamedSize(), 4 * kS3MinPartSize);
  const std::string data = PatternBytes(2 * kS3MinPartSize + 12345, 41);
  PatternObject object(data, 100003);
  const Status s = target->PutStreamed("objects/streamed", &object);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(object.attempts, 1) << "each byte produced once";
  EXPECT_EQ(proxy->Count("PUT", "/objects/streamed"), 1);
  EXPECT_EQ(proxy->Count("POST", "uploads="), 0) << "no multipart upload";
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/streamed")), Sha256Hex(data));
}

// Straight to s3rver: the fault proxy does not pass on the end of sending
// by which the client lets the server finish with a cut body.
TEST_F(S3StreamedPutTest, ASourceThatFailsMidwayStoresNothingAndIsNotRetried) {
  auto target = Open(StreamConfig(nullptr));
  PatternObject object(PatternBytes(kS3MinPartSize, 42), 1 << 20);
  object.FailAt(3 << 20);
  const Status s = target->PutStreamed("objects/changed", &object);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(object.attempts, 1) << "not sent again";
  // s3rver keeps a cut body; S3 does not. Either way the key is left empty.
  EXPECT_TRUE(Absent(target.get(), "objects/changed")) << "the cut body was not kept";
}

TEST_F(S3StreamedPutTest, AnObjectShorterThanItsSizeStoresNothing) {
  auto target = Open(StreamConfig(nullptr));
  PatternObject object(PatternBytes(1 << 20, 43), 1 << 16);
  object.ClaimExtra(1000);
  const Status s = target->PutStreamed("objects/short", &object);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_TRUE(Absent(target.get(), "objects/short"));
}

TEST_F(S3StreamedPutTest, AnEtagThatIsNotTheMd5SentFailsTheAttemptWhichIsSentAgain) {
  auto proxy = StartProxy();
  proxy->AddRule(Raw("PUT", "/objects/k", PutAnswer("\"0123456789abcdef0123456789abcdef\""), 1));
  auto target = Open(StreamConfig(proxy.get()));
  const std::string data = PatternBytes(kS3MinPartSize + 7, 44);
  PatternObject object(data, 1 << 20);
  const Status s = target->PutStreamed("objects/k", &object);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(object.attempts, 2) << "the stream starts again from its first byte";
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 2);
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/k")), Sha256Hex(data));
}

TEST_F(S3StreamedPutTest, AnEtagMismatchOnEveryAttemptFailsAndClearsTheKey) {
  auto proxy = StartProxy();
  auto target = Open(StreamConfig(proxy.get()));
  const std::string key = "objects/damaged";
  ASSERT_TRUE(target->Put(key, StringSource("an earlier object")).ok());
  proxy->AddRule(Raw("PUT", key, PutAnswer("\"0123456789abcdef0123456789abcdef\""), 100));
  PatternObject object(PatternBytes(1 << 20, 45), 1 << 16);
  const Status s = target->PutStreamed(key, &object);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("other bytes than were sent"), std::string::npos) << s.message();
  EXPECT_EQ(object.attempts, 4);
  EXPECT_EQ(proxy->Count("DELETE", key), 1) << "what stands under the key is not trusted";
  EXPECT_TRUE(Absent(target.get(), key));
}

// The body is damaged on the way on every attempt, so s3rver stores other
// bytes of the object's size, and the removal of them fails: a later copy
// must not take what stands under the key for the object.
TEST_F(S3StreamedPutTest, ADamagedObjectThatCannotBeRemovedIsNotListedAsWhole) {
  auto proxy = StartProxy();
  const std::string key = "objects/unremovable";
  FaultRule flip;
  flip.action = Action::kFlipBodyByte;
  flip.method = "PUT";
  flip.target_contains = key;
  flip.times = 4;  // every attempt of the first PutStreamed
  proxy->AddRule(flip);
  FaultRule refuse;
  refuse.action = Action::kAnswer;
  refuse.method = "DELETE";
  refuse.target_contains = key;
  refuse.status = 500;
  refuse.code = "InternalError";
  refuse.times = 100;
  proxy->AddRule(refuse);
  const std::string data = PatternBytes(1 << 20, 50);
  PatternObject object(data, 1 << 16);
  const Status s = Open(StreamConfig(proxy.get()))->PutStreamed(key, &object);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("other bytes than were sent"), std::string::npos) << s.message();
  EXPECT_EQ(object.attempts, 4);
  EXPECT_GE(proxy->Count("DELETE", key), 1);

  // A later run to the same endpoint, with the same state_dir.
  auto later = Open(StreamConfig(proxy.get()));
  const auto stat = later->Stat(key);
  ASSERT_TRUE(stat.ok()) << stat.status().ToString();
  ASSERT_EQ(*stat, data.size()) << "s3rver keeps the damaged object, of the object's size";
  const auto SizeListed = [&] {
    const auto listed = later->List("objects/");
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    for (const OffsiteObject& o : listed.ok() ? *listed : std::vector<OffsiteObject>{}) {
      if (o.key == key) return o.size;
    }
    return uint64_t{UINT64_MAX};
  };
  EXPECT_EQ(SizeListed(), 0u) << "listed at its size, a copy would take it for the object";

  PatternObject again(data, 1 << 16);
  const Status resent = later->PutStreamed(key, &again);
  ASSERT_TRUE(resent.ok()) << resent.ToString();
  EXPECT_EQ(SizeListed(), data.size()) << "put whole, it is listed again";
  EXPECT_EQ(Sha256Hex(Fetch(later.get(), key)), Sha256Hex(data));
}

// The server stores the damaged body whole, its answer is lost, and the
// copy is cancelled while it waits to send the object again: no request
// may go after a cancellation, to remove the object or to ask what is
// there.
TEST_F(S3StreamedPutTest, ADamagedObjectLeftByACancelledPutIsNotListedAsWhole) {
  auto proxy = StartProxy();
  const std::string key = "objects/cancelled-damaged";
  FaultRule lose;
  lose.action = Action::kDropMidAnswer;
  lose.method = "PUT";
  lose.target_contains = key;
  lose.answer_bytes = 0;
  lose.flip_body_byte = true;
  proxy->AddRule(lose);
  Cancellation cancel;
  S3TargetConfig config = StreamConfig(proxy.get());
  config.cancel = &cancel;
  // The wait before the retry lasts until the cancellation ends it.
  config.initial_backoff_ms = config.max_backoff_ms = 100000;
  config.request_deadline_ms = 600000;
  const std::string data = PatternBytes(1 << 20, 51);
  auto direct = Open(StreamConfig(nullptr));
  std::thread canceller([&] {
    EXPECT_TRUE(WaitUntil([&] {
      const auto stat = direct->Stat(key);
      return stat.ok() && *stat == data.size();
    })) << "s3rver stores the whole damaged body";
    cancel.Cancel("the server is shutting down");
  });
  PatternObject object(data, 1 << 16);
  const Status s = Open(config)->PutStreamed(key, &object);
  canceller.join();
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_EQ(object.attempts, 1);
  EXPECT_NE(Sha256Hex(Fetch(direct.get(), key)), Sha256Hex(data)) << "the object is damaged";

  config.cancel = nullptr;
  const auto listed = Open(config)->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].size, 0u) << "listed at its size, a copy would take it for the object";
}

TEST_F(S3StreamedPutTest, EtagsThatAreNoMd5OfTheBodyAreAcceptedAndCountedUnchecked) {
  auto proxy = StartProxy();
  const std::string wrong = "\"0123456789abcdef0123456789abcdef\"";
  proxy->AddRule(Raw("PUT", "/objects/multi", PutAnswer("\"0123456789abcdef-3\""), 1));
  proxy->AddRule(
      Raw("PUT", "/objects/kms", PutAnswer(wrong, "x-amz-server-side-encryption: aws:kms\r\n"), 1));
  proxy->AddRule(
      Raw("PUT", "/objects/ssec",
          PutAnswer(wrong, "x-amz-server-side-encryption-customer-algorithm: AES256\r\n"), 1));
  auto target = Open(StreamConfig(proxy.get()));
  PatternObject checked(PatternBytes(1000, 46), 100);
  ASSERT_TRUE(target->PutStreamed("objects/checked", &checked).ok());
  EXPECT_EQ(target->UncheckedPuts(), 0u) << "s3rver's ETag is the MD5 of the body";
  for (const std::string key : {"objects/multi", "objects/kms", "objects/ssec"}) {
    PatternObject object(PatternBytes(1000, 46), 100);
    const Status s = target->PutStreamed(key, &object);
    EXPECT_TRUE(s.ok()) << key << ": " << s.ToString();
    EXPECT_EQ(proxy->Count("PUT", key), 1) << key;
  }
  EXPECT_EQ(target->UncheckedPuts(), 3u) << "each counted as stored unchecked";
}

TEST_F(S3StreamedPutTest, AConnectionDroppedMidBodySendsTheObjectAgainWhole) {
  auto proxy = StartProxy();
  FaultRule drop;
  drop.action = Action::kDropMidBody;
  drop.method = "PUT";
  drop.target_contains = "/objects/dropped";
  drop.times = 1;
  proxy->AddRule(drop);
  auto target = Open(StreamConfig(proxy.get()));
  const std::string data = PatternBytes(3 * kS3MinPartSize + 5, 49);
  PatternObject object(data, 1 << 20);
  const Status s = target->PutStreamed("objects/dropped", &object);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(object.attempts, 2) << "dropped once, then sent again from its first byte";
  EXPECT_EQ(Sha256Hex(Fetch(target.get(), "objects/dropped")), Sha256Hex(data));
}

TEST_F(S3StreamedPutTest, CancellationStopsABodyInFlightLeavingNoWholeObject) {
  auto proxy = StartProxy();
  Cancellation cancel;
  S3TargetConfig config = StreamConfig(proxy.get());
  config.cancel = &cancel;
  auto target = Open(config);
  PatternObject object(PatternBytes(3 * kS3MinPartSize, 47), 1 << 20);
  object.after_first = [&] { cancel.Cancel("the server is shutting down"); };
  const Status s = target->PutStreamed("objects/cancelled", &object);
  EXPECT_EQ(s.code(), StatusCode::kCancelled) << s.ToString();
  EXPECT_EQ(object.attempts, 1) << "not sent again";
  // No clean-up request after a cancellation: at most a cut object stays
  // (s3rver keeps one), never one of the whole object's size.
  config.cancel = nullptr;
  const auto stat = Open(config)->Stat("objects/cancelled");
  EXPECT_TRUE(!stat.ok() || *stat < object.Size()) << *stat;
}

TEST_F(S3StreamedPutTest, TheRequestDeadlineStopsABodyInFlight) {
  auto proxy = StartProxy();
  auto now = std::make_shared<std::atomic<int64_t>>(0);
  S3TargetConfig config = StreamConfig(proxy.get());
  config.request_deadline_ms = 60000;
  config.deadline_ms_per_mib = 0;
  config.deadline_clock = [now] { return now->load(); };
  auto target = Open(config);
  PatternObject object(PatternBytes(3 * kS3MinPartSize, 48), 1 << 20);
  object.after_first = [now] { now->store(int64_t{3600} * 1000); };  // an hour passes mid-body
  const Status s = target->PutStreamed("objects/late", &object);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("deadline"), std::string::npos) << s.message();
  EXPECT_EQ(object.attempts, 1);
  // The connection is dropped without waiting for an answer, so s3rver may
  // still be keeping a cut body when the clean-up removes the key: at most
  // a cut object stays, never one of the whole object's size.
  const auto stat = Open(StreamConfig(nullptr))->Stat("objects/late");
  EXPECT_TRUE(!stat.ok() || *stat < object.Size()) << *stat;
}

TEST(S3EtagTest, OnlyADifferingPlainMd5Disagrees) {
  using V = s3::EtagVerdict;
  const std::string md5 = "9e107d9d372bb6826bd81d3542a419d6";
  EXPECT_EQ(s3::CompareEtagWithMd5("\"9e107d9d372bb6826bd81d3542a419d6\"", md5, false), V::kAgrees);
  EXPECT_EQ(s3::CompareEtagWithMd5("\"9E107D9D372BB6826BD81D3542A419D6\"", md5, false), V::kAgrees);
  EXPECT_EQ(s3::CompareEtagWithMd5("\"9e107d9d372bb6826bd81d3542a419d7\"", md5, false),
            V::kDiffers);
  EXPECT_EQ(s3::CompareEtagWithMd5("9e107d9d372bb6826bd81d3542a419d7", md5, false), V::kDiffers);
  EXPECT_EQ(s3::CompareEtagWithMd5("\"9e107d9d372bb6826bd81d3542a419d7-2\"", md5, false),
            V::kNoMd5);
  EXPECT_EQ(s3::CompareEtagWithMd5("\"9e107d9d372bb6826bd81d3542a419d7\"", md5, true), V::kNoMd5);
  EXPECT_EQ(s3::CompareEtagWithMd5("", md5, false), V::kNoMd5);
}

}  // namespace
}  // namespace arkwiki::testing
