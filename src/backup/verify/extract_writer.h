// ExtractWriter: the file-system half of unpacking an archive and the
// SHA-256 check of each file, on two threads of their own (private to the
// backup layer; used by VerifyArchive).
//
// Unpacking has two parts: read, inflate and hash an entry; then create,
// write and close its file. The file system's part (creating 50,000 inodes;
// copying every byte into the page cache) is the larger one
// (benchmarks/README.md). Here the checking thread only
// hands each file's bytes over; a second thread makes the directories and
// creates (exclusively, never through a link), writes and closes the files,
// in the order given, while the next entries are checked. Every Env call of
// the extraction happens on that one thread, in archive order, so a FaultInjectionEnv sweep still
// sees one fixed sequence.
//
// A third thread checks each file's SHA-256 against the manifest as the
// bytes pass (half of an unpacking's CPU; on the writing thread it would
// wait behind the disk): a mismatch is a sticky Corruption error naming the
// file, reported by a later call or by Drain, so nothing unpacked may be
// trusted before Drain returns OK.
//
// Files of 1 MiB or more are written in 1 MiB blocks with
// WritableFile::UseDirectIo, straight to the disk, and write-back of their
// tails is started when they are closed; nothing is synced here (the
// caller syncs the file system once: VerifyOptions::extract_dir).
//
// Memory: at most kMaxQueuedBytes of file data waits for the two threads.
// Errors are sticky: once a file-system call or a hash check failed, every
// later call returns an error and queued data after the failing file is
// dropped; Drain returns the failure of the earliest file.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

// The refusal of the file `path` (its archive path) whose SHA-256 is not
// the manifest's.
Status Sha256Mismatch(const std::string& path);

class ExtractWriter {
 public:
  static constexpr size_t kBlockSize = size_t{1} << 20;
  static constexpr size_t kMaxQueuedBytes = size_t{4} << 20;
  static constexpr uint64_t kWakeOps = 64;
  static constexpr size_t kWakeBytes = kBlockSize;

  // Files go below `root`, which must exist.
  ExtractWriter(Env* env, std::string root);
  // Drops whatever was not written yet and waits for the thread.
  ~ExtractWriter();
  ExtractWriter(const ExtractWriter&) = delete;
  ExtractWriter& operator=(const ExtractWriter&) = delete;

  // Starts the file at `path` (below root), which will hold `size` bytes
  // whose SHA-256 must be `sha256` (lowercase hex; `name` is the file's
  // archive path, for the message). Its directories are created as needed.
  Status Begin(const std::string& path, uint64_t size, const std::string& name,
               const std::string& sha256);
  // The whole file at `path` is `from`, a file on the same file system
  // whose bytes the caller has already checked (a piece of a split
  // archive): in its turn, `from` is moved to `path`, which must not exist.
  // Nothing is hashed. Between Begin/End pairs only.
  Status Adopt(const std::string& path, const std::string& from);
  // Appends to the current file (copies `data`).
  Status Write(std::string_view data);
  // Ends the current file: it is closed once written.
  Status End();
  // Waits until everything handed over is written and closed; the first
  // error, if any.
  Status Drain();

 private:
  struct FreeAligned {
    void operator()(char* p) const { std::free(p); }
  };
  struct Op {
    std::string path;  // set: create this file first
    uint64_t size = 0;
    std::string name, sha256;  // with path: what the file is and must hash to
    std::string adopt_from;    // with path: the file that becomes it (Adopt)
    std::unique_ptr<char, FreeAligned> data;
    size_t capacity = 0;
    size_t used = 0;
    bool close = false;
  };

  Status Push(bool close);  // queues current_; waits while too much is queued
  // Files of at least one block are written with direct I/O: their blocks
  // are aligned for it.
  static bool UsesDirectIo(uint64_t file_size) { return file_size >= kBlockSize; }
  static constexpr size_t kExactBlockBelow = size_t{64} << 10;
  // What a queued block counts against kMaxQueuedBytes: at least 4 KiB, so
  // that blocks of a few bytes (each with its op's strings, ~500 bytes)
  // cannot queue without bound: at most ~1,000 files wait.
  static size_t QueuedCost(size_t capacity) { return std::max<size_t>(capacity, 4096); }
  void NewBlock(size_t capacity, bool direct_io);
  bool direct_io_ = false;  // the current file's (set by Begin)
  void Walk(uint64_t* done, const std::function<Status(Op*)>& step);
  bool ReadyLocked(uint64_t done) const;
  void RecordErrorLocked(Status s, uint64_t seq);
  void ReleaseLocked();
  Status Hash(Op* op);   // the hashing thread's work for one op
  Status Apply(Op* op);  // the writing thread's file-system calls for one op
  Status EnsureDir(const std::string& dir);
  Status MoveInto(const std::string& from, const std::string& to);

  Env* env_;
  const std::string root_;
  Op current_;
  uint64_t left_ = 0;  // bytes of the current file not handed over yet

  // Writing thread only.
  std::unique_ptr<WritableFile> file_;
  uint64_t file_size_ = 0;
  std::unordered_set<std::string> made_dirs_;
  // Hashing thread only.
  std::unique_ptr<Sha256> hash_;
  std::string hash_name_, hash_expected_;

  std::mutex mu_;
  // The two threads wait on work_cv_, Push and Drain on space_cv_. A thread
  // is woken for a batch of work (kWakeOps files or kWakeBytes), not for
  // each file: one wake-up per tiny file cost ~9 futex calls a file, most
  // of a 50,000-file restore's system time (benchmarks/README.md).
  std::condition_variable work_cv_;
  std::condition_variable space_cv_;
  bool draining_ = false;
  std::deque<Op> queue_;  // op number front_seq_ first
  uint64_t front_seq_ = 0;
  uint64_t hashed_ = 0;   // ops [0, hashed_) passed the hashing thread
  uint64_t written_ = 0;  // and [0, written_) the writing thread
  size_t queued_bytes_ = 0;
  std::vector<std::unique_ptr<char, FreeAligned>> pool_;  // spare kBlockSize blocks
  bool stop_ = false;
  // The failure of the earliest op that failed (so the earliest file in
  // archive order, whichever thread got there first), and that op's number;
  // ops after it are skipped. failed_seq_ is read without mu_ in Walk.
  Status error_;
  std::atomic<uint64_t> failed_seq_{UINT64_MAX};
  std::thread hasher_;
  std::thread writer_;
};

}  // namespace arkwiki
