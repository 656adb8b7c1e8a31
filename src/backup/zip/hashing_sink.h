// HashingSink: the archive's SHA-256 (for the audit log) without paying for
// it on the writer's thread.
//
// A backup hashes every upload with SHA-256 as it reads it (the manifest's
// sums) and then the whole archive again. Done inline, the second hash was
// 44% of a create's instructions (benchmarks/README.md). Here the writer
// only copies its bytes into blocks of `block_size`. One thread hashes the
// full blocks in order; another forwards them in order to the target, so
// the archive hash, the target's write (a disk write, or a socket send) and
// the reading, hashing and compressing of the next files all overlap. A
// block is reused once it is both hashed and forwarded. Memory: `blocks`
// blocks (6 x 1 MiB by default).
//
// It also hashes byte ranges (BeginSha256Range): ZipWriter asks it for the
// SHA-256 of each stored entry's data, which is the upload's own bytes. A
// third thread hashes those ranges as the full blocks pass, so the per-file
// SHA-256 of the manifest leaves the writer's thread too; the writer hashes
// only the part still in the block it is filling when the range ends.
//
// Everything reaches the target in order, in whole blocks except the last
// one Flush() forwards, from one thread at a time: the target need not be
// thread-safe, but it is called from the forwarding thread. Blocks are
// aligned to kDirectIoAlignment, so a file target using
// WritableFile::UseDirectIo sends them straight to the disk. A target
// error is sticky and returned by the next Write or Flush (the writer has
// then already abandoned the archive or soon will).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

class HashingSink final : public ByteSink {
 public:
  static constexpr size_t kDefaultBlockSize = size_t{1} << 20;
  static constexpr size_t kDefaultBlocks = 6;

  // `target` is not owned and must outlive this sink.
  explicit HashingSink(ByteSink* target, size_t block_size = kDefaultBlockSize,
                       size_t blocks = kDefaultBlocks);
  // Stops both threads; bytes not flushed are dropped (the archive failed).
  ~HashingSink() override;
  HashingSink(const HashingSink&) = delete;
  HashingSink& operator=(const HashingSink&) = delete;

  Status Write(std::string_view data) override;
  // Waits until every byte is hashed and forwarded, then flushes the target.
  Status Flush() override;
  bool BeginSha256Range() override;
  // Waits until the third thread has hashed the range's bytes in the
  // blocks handed over so far.
  Result<std::string> EndSha256Range() override;
  // Bytes accepted by Write.
  uint64_t bytes() const { return bytes_; }
  // The SHA-256 of everything written. Call after a successful Flush, once.
  std::string FinishHex();
  // After a successful Flush, starts a new stream into `target` (not owned)
  // with the same threads and blocks: FinishHex then hashes what is
  // written from here on. Allocating fresh blocks for each of many short
  // streams cost a page fault per 4 KiB written. Refused (nothing changes)
  // while bytes are unflushed or after a failure.
  Status Restart(ByteSink* target);

 private:
  struct FreeAligned {
    void operator()(char* p) const { std::free(p); }
  };
  struct Block {
    std::unique_ptr<char, FreeAligned> data;
    size_t used = 0;
    uint64_t start = 0;  // stream offset of data[0]
  };
  Block& At(uint64_t seq) { return blocks_[seq % blocks_.size()]; }

  void Stop();        // stops and joins the threads that were started
  Status Submit();    // hands the block being filled over; waits for a free one
  void Hash();        // the hashing thread
  void Forward();     // the forwarding thread
  void HashRanges();  // the range-hashing thread
  Status Failed();    // the forwarding thread's error, if any

  ByteSink* target_;
  const size_t block_size_;
  std::unique_ptr<Sha256> hash_;  // the hashing thread's only, until Flush has returned
  uint64_t bytes_ = 0;
  std::vector<Block> blocks_;  // a ring: block seq lives at seq % size

  // Blocks are numbered in order. [0, filled_) were
  // handed over by Write; [0, hashed_) are hashed, [0, forwarded_)
  // forwarded and [0, ranged_) range-hashed. The writer fills block filled_
  // once it is done with: filled_ - min(hashed_, forwarded_, ranged_) <
  // blocks_.size().
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t filled_ = 0;
  uint64_t hashed_ = 0;
  uint64_t forwarded_ = 0;
  uint64_t ranged_ = 0;  // [0, ranged_) passed the range-hashing thread
  // The open range: from stream offset range_start_, into range_hash_.
  bool range_open_ = false;
  uint64_t range_start_ = 0;
  std::unique_ptr<Sha256> range_hash_;
  bool stop_ = false;
  Status error_;
  std::thread hasher_;
  std::thread forwarder_;
  std::thread ranger_;
};

}  // namespace arkwiki
