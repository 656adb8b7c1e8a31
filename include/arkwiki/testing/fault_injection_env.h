// FaultInjectionEnv: an EnvWrapper that fails chosen operations, for tests
// and drills (after SQLite's test_vfs.c: "fail the Nth operation").
//
// Every mutating operation (create, append, sync, close, rename, exchange,
// link, clone, mkdir, remove, dir sync, file-system sync) is counted; write-back
// hints are forwarded but not counted. When the count reaches
// `fail_at` (1-based), that operation and every later one fail with the
// configured code, as a full disk or a dying device would. Sweeping fail_at
// from 1 until an operation completes covers every failure point.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "arkwiki/core/env.h"

namespace arkwiki {

class FaultInjectionEnv : public EnvWrapper {
 public:
  explicit FaultInjectionEnv(Env* target) : EnvWrapper(target) {}

  // Fail the Nth mutating operation and all that follow; 0 disables.
  void FailAt(uint64_t n, StatusCode code = StatusCode::kNoSpace) {
    fail_code_ = code;
    fail_at_ = n;
  }
  uint64_t operations() const { return operations_; }
  bool triggered() const { return fail_at_ != 0 && operations_ >= fail_at_; }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override;
  Status CreateDir(const std::string& p) override;
  Status CreateDirs(const std::string& p) override;
  Status RemoveFile(const std::string& p) override;
  Status RemoveDir(const std::string& p) override;
  Status RemoveTree(const std::string& p) override;
  Status Rename(const std::string& f, const std::string& t) override;
  Status Exchange(const std::string& a, const std::string& b) override;
  Status LinkFile(const std::string& f, const std::string& t) override;
  Status CloneFile(const std::string& f, const std::string& t) override;
  Status SyncDir(const std::string& p) override;
  // Its Sync() is counted as one operation ("syncfs").
  Result<std::unique_ptr<FileSystemSync>> NewFileSystemSync(const std::string& dir) override;

  // Counts one operation; returns the injected failure if it is due.
  Status Tick(const std::string& what);

 private:
  std::atomic<uint64_t> operations_{0};
  std::atomic<uint64_t> fail_at_{0};
  StatusCode fail_code_ = StatusCode::kNoSpace;
};

}  // namespace arkwiki
