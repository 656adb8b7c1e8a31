// The S3 target against a real s3rver: objects round-trip, large ones go up
// in parts, and refusals become Status codes with advice.
#include <gtest/gtest.h>

#include <chrono>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/process/child_process.h"
#include "backup/offsite/s3_test_util.h"

namespace arkwiki::testing {
namespace {

using S3TargetRoundTripTest = S3TargetTest;

std::string GetAll(OffsiteTarget* target, const std::string& key, Status* status) {
  StringByteSink sink;
  *status = target->Get(key, UINT64_MAX, &sink);
  return sink.data();
}

TEST_F(S3TargetRoundTripTest, PutGetStatListRemoveRoundTrip) {
  auto target = Open(Config());
  ASSERT_NE(target, nullptr);
  ASSERT_TRUE(target->Put("objects/ab/one", StringSource("first object")).ok());
  ASSERT_TRUE(target->Put("objects/cd/two", StringSource(PatternBytes(70000, 1))).ok());
  ASSERT_TRUE(target->Put("snapshots/s1", StringSource("")).ok());

  Status s;
  EXPECT_EQ(GetAll(target.get(), "objects/ab/one", &s), "first object");
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(GetAll(target.get(), "objects/cd/two", &s), PatternBytes(70000, 1));
  auto size = target->Stat("objects/cd/two");
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, 70000u);

  auto listed = target->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "objects/ab/one");
  EXPECT_EQ((*listed)[0].size, 12u);
  EXPECT_EQ((*listed)[1].key, "objects/cd/two");

  ASSERT_TRUE(target->Remove("objects/ab/one").ok());
  EXPECT_EQ(target->Stat("objects/ab/one").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetAll(target.get(), "objects/ab/one", &s), "");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_TRUE(target->Remove("objects/ab/one").ok()) << "removing an absent key is OK";
}

TEST_F(S3TargetRoundTripTest, ListGivesWhenEachObjectWasWritten) {
  auto target = Open(Config());
  const int64_t before = NowUnixSeconds();
  ASSERT_TRUE(target->Put("objects/aa/one", StringSource("1")).ok());
  auto listed = target->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  // LastModified, by s3rver's clock, which is this machine's.
  EXPECT_GE(listed->at(0).modified, before - 2);
  EXPECT_LE(listed->at(0).modified, NowUnixSeconds() + 2);
}

TEST_F(S3TargetRoundTripTest, KeysLiveUnderTheKeyPrefix) {
  S3TargetConfig config = Config();
  config.key_prefix = "/wiki-a";
  auto a = Open(config);
  config.key_prefix = "wiki-b/";
  auto b = Open(config);
  ASSERT_TRUE(a->Put("k", StringSource("from a")).ok());
  ASSERT_TRUE(b->Put("k", StringSource("from b")).ok());
  Status s;
  EXPECT_EQ(GetAll(a.get(), "k", &s), "from a");
  auto listed = b->List("");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "k");
  EXPECT_EQ(a->Describe(), "s3://" + kBucket + "/wiki-a at " + config.endpoint);
}

TEST_F(S3TargetRoundTripTest, ListPagesThroughMoreThanOnePage) {
  auto proxy = StartProxy();
  S3TargetConfig config = Config(proxy.get());
  config.list_page_keys = 3;
  auto target = Open(config);
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(target->Put("objects/" + std::to_string(i), StringSource("x")).ok());
  }
  ASSERT_TRUE(target->Put("other", StringSource("x")).ok());
  auto listed = target->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(proxy->Count("GET", "list-type=2"), 3) << "pages of 3, 3 and 1 keys";
  ASSERT_EQ(listed->size(), 7u);
  EXPECT_EQ(listed->front().key, "objects/0");
  EXPECT_EQ(listed->back().key, "objects/6");
}

TEST_F(S3TargetRoundTripTest, LargeObjectGoesUpInPartsReadInBlocksAndComesBackWhole) {
  auto proxy = StartProxy();
  auto target = Open(Config(proxy.get()));
  const std::string data = PatternBytes(2 * kS3MinPartSize + 12345, 7);
  CountingSource source(data);
  ASSERT_TRUE(target->Put("objects/big", source).ok());
  EXPECT_EQ(proxy->Count("POST", "uploads="), 1);
  EXPECT_EQ(proxy->Count("PUT", "partNumber="), 3);
  EXPECT_EQ(proxy->Count("POST", "uploadId="), 1);
  EXPECT_EQ(StateFiles(), 0) << "the state of a finished upload is removed";
  EXPECT_LE(source.largest_read(), size_t{1} << 20) << "parts are streamed, not held whole";
  EXPECT_EQ(source.bytes_read(), 2 * data.size()) << "each part read to hash it, then to send it";
  Status s;
  const std::string back = GetAll(target.get(), "objects/big", &s);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Sha256Hex(back), Sha256Hex(data));
  EXPECT_EQ(*target->Stat("objects/big"), data.size());
}

TEST_F(S3TargetRoundTripTest, UnknownAccessKeyIsPermissionDeniedNamingTheKeySetting) {
  S3TargetConfig config = Config();
  config.access_key = "NOT-A-KEY";
  auto target = Open(config);
  const Status s = target->Put("k", StringSource("x"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("InvalidAccessKeyId"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("check the access key"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find(config.secret_key), std::string::npos);
}

TEST_F(S3TargetRoundTripTest, MissingBucketIsNotFoundWithAdvice) {
  S3TargetConfig config = Config();
  config.bucket = "no-such-bucket";
  auto target = Open(config);
  const Status s = target->Put("k", StringSource("x"));
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("s3://no-such-bucket"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("bucket does not exist"), std::string::npos) << s.message();
  EXPECT_EQ(target->List("").status().code(), StatusCode::kNotFound);
}

TEST_F(S3TargetRoundTripTest, SkewedClockIsRefusedAskingToCorrectTheTime) {
  S3TargetConfig config = Config();
  config.clock = [] { return NowUnixSeconds() - 3600; };
  auto target = Open(config);
  const Status s = target->Put("k", StringSource("x"));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("RequestTimeTooSkewed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("correct the system time"), std::string::npos) << s.message();
}

TEST_F(S3TargetRoundTripTest, HttpsTrustsOnlyCertificatesItCanVerify) {
  TempDir tls;
  const std::string cert = tls.Sub("cert.pem");
  const std::string key = tls.Sub("key.pem");
  auto made = process::RunProcess(
      "/usr/bin/openssl",
      {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
       "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_TRUE(made.ok() && made->exit_code == 0) << (made.ok() ? made->err : "");
  ARKWIKI_START_S3RVER_OR_SKIP(server, tls.path(), kBucket, cert, key);
  S3TargetConfig config = Config();
  config.endpoint = server->endpoint();
  // A self-signed certificate is not among the system's CAs.
  const Status refused = Open(config)->Put("k", StringSource("x"));
  EXPECT_EQ(refused.code(), StatusCode::kIoError) << refused.ToString();
  EXPECT_NE(refused.message().find("ca_file"), std::string::npos) << refused.message();
  EXPECT_EQ(refused.message().find("attempts"), std::string::npos) << "not retried";
  config.ca_file = cert;
  auto target = Open(config);
  ASSERT_TRUE(target->Put("k", StringSource("over TLS")).ok());
  StringByteSink sink;
  ASSERT_TRUE(target->Get("k", UINT64_MAX, &sink).ok());
  EXPECT_EQ(sink.data(), "over TLS");
}

TEST_F(S3TargetRoundTripTest, UnreadableCaFileIsAnErrorNamingIt) {
  S3TargetConfig config = Config();
  config.endpoint = "https://127.0.0.1:" + std::to_string(server_->port());
  config.ca_file = dir_.Sub("no-such-ca.pem");
  const Status s = Open(config)->Put("k", StringSource("x"));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("ca_file"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("attempts"), std::string::npos) << "not retried";
}

TEST_F(S3TargetRoundTripTest, RefusesSettingsItCannotUse) {
  const S3TargetConfig good = Config();
  auto with = [&](auto change) {
    S3TargetConfig c = good;
    change(c);
    return OpenS3Target(c).status();
  };
  EXPECT_TRUE(with([](S3TargetConfig&) {}).ok());
  EXPECT_EQ(with([](S3TargetConfig& c) { c.endpoint = "ftp://host"; }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.bucket.clear(); }).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.secret_key.clear(); }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.state_dir.clear(); }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.part_size = kS3MinPartSize - 1; }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.multipart_threshold = (uint64_t{5} << 30) + 1; }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(with([](S3TargetConfig& c) { c.max_attempts = 0; }).code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace arkwiki::testing
