// Entry input for ZipWriter, delivered in blocks of at most 1 MiB (private).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki::zip {

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  // The size announced before reading (stat for files).
  virtual uint64_t size() const = 0;
  // The next block; empty once exactly size() bytes were delivered. Fails
  // with Corruption if the input turns out shorter or longer than size().
  // A returned view stays valid until the next call.
  virtual Result<std::string_view> Next() = 0;
};

// Reads a file front to back through an Env in 1 MiB blocks. The size is
// the open file's (fstat), so each file costs open, fstat, reads, close:
// no stat by path and no fadvise (10.9 against 8.1 us per file here, which
// counted for 50,000 tiny files).
class FileBlockSource final : public BlockSource {
 public:
  FileBlockSource(std::string path, std::unique_ptr<RandomAccessFile> file,
                  std::vector<char>* buffer);
  uint64_t size() const override { return size_; }
  Result<std::string_view> Next() override;

 private:
  Result<size_t> Fill(char* dst, size_t n);
  Status Changed(uint64_t seen) const;

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
  uint64_t size_;
  uint64_t delivered_ = 0;
  std::vector<char>* buffer_;  // not owned; reused across entries
};

// Slices caller-owned memory.
class BytesBlockSource final : public BlockSource {
 public:
  explicit BytesBlockSource(std::string_view data) : data_(data) {}
  uint64_t size() const override { return data_.size(); }
  Result<std::string_view> Next() override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace arkwiki::zip
