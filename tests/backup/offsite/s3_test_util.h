// Shared pieces of the S3 target tests: one s3rver for the whole test
// program (started on first use; its bucket is kBucket), a target config
// pointing at it or at a FaultProxy in front of it, and in-memory sources.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

#include "arkwiki/backup/s3_target.h"
#include "arkwiki/core/env.h"
#include "support/fault_proxy.h"
#include "support/s3rver_fixture.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {

inline const std::string kBucket = "arkwiki-test";

// Bytes in memory, read at offsets like a file.
class StringSource final : public RandomAccessFile {
 public:
  explicit StringSource(std::string data) : data_(std::move(data)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= data_.size()) return size_t{0};
    const size_t k = std::min<size_t>(n, data_.size() - offset);
    data_.copy(buf, k, offset);
    return k;
  }
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string data_;
};

// A StringSource that records how it is read (from any thread).
class CountingSource final : public RandomAccessFile {
 public:
  explicit CountingSource(const std::string& data) : inner_(data), size_(data.size()) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      largest_read_ = std::max(largest_read_, n);
    }
    auto got = inner_.ReadAt(offset, buf, n);
    if (got.ok()) {
      const std::lock_guard<std::mutex> lock(mu_);
      bytes_read_ += *got;
    }
    return got;
  }
  uint64_t Size() const override { return size_; }
  size_t largest_read() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return largest_read_;
  }
  uint64_t bytes_read() const {
    const std::lock_guard<std::mutex> lock(mu_);
    return bytes_read_;
  }

 private:
  StringSource inner_;
  uint64_t size_;
  mutable std::mutex mu_;
  mutable size_t largest_read_ = 0;
  mutable uint64_t bytes_read_ = 0;
};

// `n` bytes that differ from part to part (so a part sent twice, or in the
// wrong place, changes the object).
inline std::string PatternBytes(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    out[i] = static_cast<char>(x);
  }
  return out;
}

// A fault for `times` requests of `method` whose target contains
// `target_contains`.
FaultRule Rule(FaultRule::Action action, const std::string& method,
               const std::string& target_contains, int times = 1);

class S3TargetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  // Settings for s3rver (or for `proxy` in front of it), with this test's
  // own key prefix (the test's name), fast retries and 5 MiB parts.
  S3TargetConfig Config(const FaultProxy* proxy = nullptr) const;
  std::unique_ptr<OffsiteTarget> Open(const S3TargetConfig& config) const;
  std::unique_ptr<FaultProxy> StartProxy() const;
  // How many multipart state files are in the state directory.
  int StateFiles() const;
  // The object's bytes (a failed Get fails the test and gives "").
  static std::string Fetch(OffsiteTarget* target, const std::string& key);

  static inline TempDir* server_dir_ = nullptr;
  static inline S3rverProcess* server_ = nullptr;
  static inline std::string server_error_;
  TempDir dir_;
};

}  // namespace arkwiki::testing
