// ByteSink: where the ZIP writer's bytes go — a file, a pipe, an HTTP
// response body. The writer only ever appends; no sink is asked to seek.
//
// Poco 1.11's Zip writer (and a naive std::ofstream) hand the OS 1 KiB pieces:
// 1.11 M write calls for a 1.14 GB backup (docs/design-notes.md#write-in-large-blocks).
// BufferedByteSink batches everything into 1 MiB blocks before forwarding, which halved the time to
// store that set. Wrap any unbuffered sink in one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

class ByteSink {
 public:
  virtual ~ByteSink();
  // Appends all of `data` or fails. After a failure the sink's contents are
  // unknown and the caller must abandon the stream (a ZipWriter does).
  virtual Status Write(std::string_view data) = 0;
  // Pushes buffered bytes to the layer below. OK by default (unbuffered).
  // It does not make anything durable; see FileByteSink::Sync.
  virtual Status Flush();
  // Optional, for a sink that sees every byte anyway: starts computing the
  // SHA-256 of the bytes written from now until EndSha256Range, possibly on
  // another thread. False (the default) if the sink cannot; the caller then
  // hashes the bytes itself. One range at a time.
  virtual bool BeginSha256Range();
  // The SHA-256 (lowercase hex) of the bytes written since BeginSha256Range.
  virtual Result<std::string> EndSha256Range();
};

// Appends to an Env WritableFile, so FaultInjectionEnv sees every write.
class FileByteSink : public ByteSink {
 public:
  // `sync_every_bytes` > 0: each time that many bytes have been appended,
  // starts write-back of them (WritableFile::WriteBack, sync_file_range)
  // without waiting, and waits for the write-back of the window before. A
  // long backup thus goes out to disk as it is written, not in one burst at
  // the end (docs/design-notes.md#durable-writes-go-out-as-they-are-written), with at most two
  // windows dirty and no stall of the writer. Durability still needs Sync() at the end, which then
  // has little left to do.
  explicit FileByteSink(std::unique_ptr<WritableFile> file, uint64_t sync_every_bytes = 0);
  ~FileByteSink() override;

  // Creates `path` through `env` (kExclusive by default: never overwrites).
  static Result<std::unique_ptr<FileByteSink>> Create(Env* env, const std::string& path,
                                                      CreateMode mode = CreateMode::kExclusive,
                                                      uint64_t sync_every_bytes = 0);

  Status Write(std::string_view data) override;
  // fdatasync. After a failed Sync the file is unusable: do not retry.
  Status Sync();
  // Writes every dirty page of the file back and waits for it
  // (WritableFile::WriteBack): a write-back error shows here, not only at a
  // later sync. Nothing is made durable: no metadata, no disk cache flush.
  Status WriteBackAndWait();
  // WritableFile::UseDirectIo: writes of whole aligned blocks (such as
  // HashingSink's) then bypass the page cache. False where unsupported.
  bool UseDirectIo() { return file_ != nullptr && file_->UseDirectIo(); }
  // Closes the file; further writes fail. Call Sync() first for durability.
  Status Close();
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  std::unique_ptr<WritableFile> file_;
  uint64_t sync_every_bytes_;
  uint64_t bytes_written_ = 0;
  uint64_t window_start_ = 0;     // first byte not yet handed to write-back
  uint64_t previous_window_ = 0;  // start of the window handed over before
};

// Collects writes into blocks of `block_size` bytes (1 MiB by default) and
// forwards each full block in one Write to `target` (not owned). Large writes
// are forwarded in whole blocks without an extra copy where possible. Every
// forwarded write is exactly block_size bytes except the one made by Flush().
class BufferedByteSink : public ByteSink {
 public:
  static constexpr size_t kDefaultBlockSize = size_t{1} << 20;

  explicit BufferedByteSink(ByteSink* target, size_t block_size = kDefaultBlockSize);
  ~BufferedByteSink() override;  // drops unflushed bytes: call Flush()

  Status Write(std::string_view data) override;
  // Forwards any partial block, then flushes `target`.
  Status Flush() override;

 private:
  ByteSink* target_;
  std::vector<char> buffer_;
  size_t used_ = 0;
  Status failed_;  // sticky: once the target failed, every call returns it
};

// Keeps everything in memory; for tests and small archives.
class StringByteSink : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    data_.append(data);
    return Status::Ok();
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

}  // namespace arkwiki
