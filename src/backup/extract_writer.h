// ExtractWriter: the file-system half of unpacking an archive, on its own
// thread (private to the backup layer; used by VerifyArchive).
//
// Unpacking used to do everything in turn on one thread: read, inflate and
// hash an entry, then create, write and close its file. The file system's
// part (creating 50,000 inodes; copying every byte into the page cache) was
// the larger one (benchmarks/README.md). Here the checking thread only
// hands each file's bytes over; a second thread makes the directories and
// creates (exclusively, never through a link), writes and closes the files,
// in the order given, while the next entries are checked. Every Env call of
// the extraction happens on that one thread, in the same order as before,
// so a FaultInjectionEnv sweep still sees one fixed sequence.
//
// Files of 1 MiB or more are written in 1 MiB blocks with
// WritableFile::UseDirectIo, straight to the disk, and write-back of their
// tails is started when they are closed; nothing is synced here (the
// caller syncs the file system once: VerifyOptions::extract_dir).
//
// Memory: at most kMaxQueuedBytes of file data waits for the writer.
// Errors are sticky: once a file-system call failed, every later call
// returns that error and queued data is dropped.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "arkwiki/core/env.h"

namespace arkwiki {

class ExtractWriter {
 public:
  static constexpr size_t kBlockSize = size_t{1} << 20;
  static constexpr size_t kMaxQueuedBytes = size_t{4} << 20;

  // Files go below `root`, which must exist.
  ExtractWriter(Env* env, std::string root);
  // Drops whatever was not written yet and waits for the thread.
  ~ExtractWriter();
  ExtractWriter(const ExtractWriter&) = delete;
  ExtractWriter& operator=(const ExtractWriter&) = delete;

  // Starts the file at `path` (below root), which will hold `size` bytes;
  // its directories are created as needed.
  Status Begin(const std::string& path, uint64_t size);
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
    std::unique_ptr<char, FreeAligned> data;
    size_t capacity = 0;
    size_t used = 0;
    bool close = false;
  };

  Status Push(bool close);  // queues current_; waits while too much is queued
  void NewBlock(size_t capacity);
  void Run();
  Status Apply(Op* op);  // the writer thread's file-system calls for one op
  Status EnsureDir(const std::string& dir);

  Env* env_;
  const std::string root_;
  Op current_;
  uint64_t left_ = 0;  // bytes of the current file not handed over yet

  // Writer thread only.
  std::unique_ptr<WritableFile> file_;
  uint64_t file_size_ = 0;
  std::unordered_set<std::string> made_dirs_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> queue_;
  size_t queued_bytes_ = 0;
  std::vector<std::unique_ptr<char, FreeAligned>> pool_;  // spare kBlockSize blocks
  bool busy_ = false;
  bool stop_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace arkwiki
