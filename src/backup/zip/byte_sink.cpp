#include "arkwiki/backup/byte_sink.h"

#include <algorithm>
#include <cstring>

namespace arkwiki {

ByteSink::~ByteSink() = default;

Status ByteSink::Flush() { return Status::Ok(); }

bool ByteSink::BeginSha256Range() { return false; }

Result<std::string> ByteSink::EndSha256Range() {
  return Status::InvalidArgument("this sink does not hash byte ranges");
}

FileByteSink::FileByteSink(std::unique_ptr<WritableFile> file, uint64_t sync_every_bytes)
    : file_(std::move(file)), sync_every_bytes_(sync_every_bytes) {}

FileByteSink::~FileByteSink() = default;

Result<std::unique_ptr<FileByteSink>> FileByteSink::Create(Env* env, const std::string& path,
                                                           CreateMode mode,
                                                           uint64_t sync_every_bytes) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, mode));
  return std::make_unique<FileByteSink>(std::move(file), sync_every_bytes);
}

Status FileByteSink::Write(std::string_view data) {
  if (file_ == nullptr) return Status::InvalidArgument("write to a closed FileByteSink");
  ARKWIKI_RETURN_IF_ERROR(file_->Append(data));
  bytes_written_ += data.size();
  if (sync_every_bytes_ == 0 || bytes_written_ - window_start_ < sync_every_bytes_) {
    return Status::Ok();
  }
  // Start writing this window back, then wait for the one before it: the
  // disk works while the backup goes on, and at most two windows are dirty.
  // A synchronous fdatasync here instead stalled the writer every 64 MiB
  // (20.3 s against 11.1 s for 1 GiB; benchmarks/README.md).
  const uint64_t previous = previous_window_;
  const uint64_t start = window_start_;
  previous_window_ = start;
  window_start_ = bytes_written_;
  ARKWIKI_RETURN_IF_ERROR(file_->WriteBack(start, bytes_written_ - start, /*wait=*/false));
  if (start == 0) return Status::Ok();  // the first window: none before it
  return file_->WriteBack(previous, start - previous, /*wait=*/true);
}

Status FileByteSink::Sync() {
  if (file_ == nullptr) return Status::InvalidArgument("sync of a closed FileByteSink");
  return file_->Sync();
}

Status FileByteSink::WriteBackAndWait() {
  if (file_ == nullptr) return Status::InvalidArgument("write-back of a closed FileByteSink");
  return file_->WriteBack(0, 0, /*wait=*/true);
}

Status FileByteSink::Close() {
  if (file_ == nullptr) return Status::Ok();
  Status s = file_->Close();
  file_.reset();
  return s;
}

BufferedByteSink::BufferedByteSink(ByteSink* target, size_t block_size)
    : target_(target), buffer_(block_size == 0 ? kDefaultBlockSize : block_size) {}

BufferedByteSink::~BufferedByteSink() = default;

Status BufferedByteSink::Write(std::string_view data) {
  if (!failed_.ok()) return failed_;
  const size_t cap = buffer_.size();
  while (!data.empty()) {
    if (used_ == 0 && data.size() >= cap) {
      // Whole blocks straight from the caller's memory: no copy.
      Status s = target_->Write(data.substr(0, cap));
      if (!s.ok()) return failed_ = s;
      data.remove_prefix(cap);
      continue;
    }
    size_t n = std::min(cap - used_, data.size());
    std::memcpy(buffer_.data() + used_, data.data(), n);
    used_ += n;
    data.remove_prefix(n);
    if (used_ == cap) {
      used_ = 0;
      Status s = target_->Write(std::string_view(buffer_.data(), cap));
      if (!s.ok()) return failed_ = s;
    }
  }
  return Status::Ok();
}

Status BufferedByteSink::Flush() {
  if (!failed_.ok()) return failed_;
  if (used_ > 0) {
    size_t n = used_;
    used_ = 0;
    Status s = target_->Write(std::string_view(buffer_.data(), n));
    if (!s.ok()) return failed_ = s;
  }
  Status s = target_->Flush();
  if (!s.ok()) failed_ = s;
  return s;
}

}  // namespace arkwiki
