// FullDiskEnv: a disk that fills, for tests of what a full disk leaves.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arkwiki/core/env.h"

namespace arkwiki::testing {

// A disk that fills after `limit` bytes: every later write fails with
// NoSpace, while removing files still works (as on a real full disk).
class FullDiskEnv : public EnvWrapper {
 public:
  FullDiskEnv(Env* target, uint64_t limit) : EnvWrapper(target), left_(limit) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
    return std::unique_ptr<WritableFile>(new File(std::move(file), &left_));
  }

 private:
  class File : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> f, std::atomic<uint64_t>* left)
        : f_(std::move(f)), left_(left) {}
    Status Append(std::string_view data) override {
      if (data.size() > *left_) {
        *left_ = 0;
        return Status::NoSpace("no space left on device");
      }
      *left_ -= data.size();
      return f_->Append(data);
    }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
    std::atomic<uint64_t>* left_;
  };
  std::atomic<uint64_t> left_;
};

}  // namespace arkwiki::testing
