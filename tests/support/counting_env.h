// CountingEnv: an EnvWrapper that counts the bytes written through it, so a
// test can check that refusing an archive (a zip bomb above all) wrote only
// a bounded amount to disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "arkwiki/core/env.h"

namespace arkwiki::testing {

class CountingEnv : public EnvWrapper {
 public:
  explicit CountingEnv(Env* target) : EnvWrapper(target) {}

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
    return std::unique_ptr<WritableFile>(new CountingFile(std::move(file), &bytes_));
  }
  // Bytes appended to any file opened through this Env.
  uint64_t bytes_written() const { return bytes_; }

 private:
  class CountingFile : public WritableFile {
   public:
    CountingFile(std::unique_ptr<WritableFile> f, std::atomic<uint64_t>* n)
        : f_(std::move(f)), n_(n) {}
    Status Append(std::string_view data) override {
      *n_ += data.size();
      return f_->Append(data);
    }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
    std::atomic<uint64_t>* n_;
  };
  std::atomic<uint64_t> bytes_{0};
};

}  // namespace arkwiki::testing
