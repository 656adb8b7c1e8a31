// Bytes [offset, offset + size) of a file as a file of their own (private
// to the backup layer): the record's parts read back, a multipart upload's
// part. The window's size is its own: a scratch file's reader, opened
// before any write, does not know the file's.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>

#include "arkwiki/core/env.h"

namespace arkwiki {

class FileWindow final : public RandomAccessFile {
 public:
  FileWindow(std::shared_ptr<const RandomAccessFile> file, uint64_t offset, uint64_t size)
      : file_(std::move(file)), offset_(offset), size_(size) {}
  // Over a file the caller keeps alive for the window's life (the
  // shared_ptr's aliasing form: it points at `file` and owns nothing).
  FileWindow(const RandomAccessFile& file, uint64_t offset, uint64_t size)
      : FileWindow(std::shared_ptr<const RandomAccessFile>(std::shared_ptr<void>(), &file), offset,
                   size) {}
  FileWindow(const RandomAccessFile&& file, uint64_t offset, uint64_t size) = delete;

  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= size_) return size_t{0};
    return file_->ReadAt(offset_ + offset, buf, std::min<uint64_t>(n, size_ - offset));
  }
  uint64_t Size() const override { return size_; }

 private:
  std::shared_ptr<const RandomAccessFile> file_;
  uint64_t offset_;
  uint64_t size_;
};

}  // namespace arkwiki
