// BlockWriter: appends a file's blocks on a thread of its own (private to
// the backup layer).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string_view>
#include <thread>

#include "arkwiki/core/env.h"

namespace arkwiki {

// Lets a copy read and hash its next block while the one before goes to the
// disk. An O_DIRECT append returns only when the device has the block, so
// one thread doing both waited for every write in turn (benchmarks/README.md,
// "Restore points").
//
// One block is in flight at a time. Its bytes must stay unchanged until the
// next Append or Wait returns; a caller therefore alternates two buffers.
// The file must outlive the block: call Wait before closing or destroying it.
class BlockWriter {
 public:
  BlockWriter();
  // Waits for the block in flight, then stops the thread.
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Waits for the block in flight, then starts appending `block` to `out`.
  // Returns the earlier block's error instead, without starting this one.
  [[nodiscard]] Status Append(WritableFile* out, std::string_view block);
  // Waits for the block in flight; the first error since the last Wait.
  [[nodiscard]] Status Wait();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  WritableFile* out_ = nullptr;  // non-null while a block is in flight
  std::string_view block_;
  Status status_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace arkwiki
