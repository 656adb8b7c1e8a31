#include "backup/offsite/s3_test_util.h"

#include <dirent.h>

#include "arkwiki/backup/byte_sink.h"

namespace arkwiki::testing {

void S3TargetTest::SetUpTestSuite() {
  server_dir_ = new TempDir();
  auto started = S3rverProcess::Start(server_dir_->path(), kBucket);
  if (started.ok()) {
    server_ = started.value().release();
  } else {
    server_error_ = started.status().ToString();
    if (started.status().code() == StatusCode::kUnsupported) {
      server_error_ = started.status().message();
    }
  }
}

void S3TargetTest::TearDownTestSuite() {
  delete server_;
  server_ = nullptr;
  delete server_dir_;
  server_dir_ = nullptr;
}

void S3TargetTest::SetUp() {
  if (server_ == nullptr && server_error_.rfind("s3rver tests skipped", 0) == 0) {
    GTEST_SKIP() << server_error_;
  }
  ASSERT_NE(server_, nullptr) << server_error_;
}

S3TargetConfig S3TargetTest::Config(const FaultProxy* proxy) const {
  S3TargetConfig c;
  c.endpoint =
      proxy != nullptr ? "http://127.0.0.1:" + std::to_string(proxy->port()) : server_->endpoint();
  c.bucket = kBucket;
  c.key_prefix = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  c.access_key = S3rverProcess::kAccessKey;
  c.secret_key = S3rverProcess::kSecretKey;
  c.state_dir = dir_.Sub("s3-state");
  c.part_size = kS3MinPartSize;
  c.multipart_threshold = kS3MinPartSize;  // so that objects of a few parts go up in parts
  c.max_attempts = 4;
  c.initial_backoff_ms = 20;
  c.max_backoff_ms = 200;
  c.connect_timeout_ms = 2000;
  c.io_timeout_ms = 5000;
  return c;
}

std::unique_ptr<OffsiteTarget> S3TargetTest::Open(const S3TargetConfig& config) const {
  auto target = OpenS3Target(config);
  EXPECT_TRUE(target.ok()) << target.status().ToString();
  return target.ok() ? std::move(target).value() : nullptr;
}

std::unique_ptr<FaultProxy> S3TargetTest::StartProxy() const {
  auto proxy = std::make_unique<FaultProxy>(server_->port());
  EXPECT_TRUE(proxy->ok());
  return proxy;
}

int S3TargetTest::StateFiles() const {
  int n = 0;
  DIR* d = ::opendir(dir_.Sub("s3-state").c_str());
  if (d == nullptr) return 0;
  while (const dirent* e = ::readdir(d)) {
    if (std::string(e->d_name).rfind("s3-upload-", 0) == 0) ++n;
  }
  ::closedir(d);
  return n;
}

FaultRule Rule(FaultRule::Action action, const std::string& method,
               const std::string& target_contains, int times) {
  FaultRule rule;
  rule.action = action;
  rule.method = method;
  rule.target_contains = target_contains;
  rule.times = times;
  return rule;
}

std::string S3TargetTest::Fetch(OffsiteTarget* target, const std::string& key) {
  StringByteSink sink;
  const Status s = target->Get(key, UINT64_MAX, &sink);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return sink.data();
}

}  // namespace arkwiki::testing
