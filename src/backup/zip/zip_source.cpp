#include "zip/zip_source.h"

#include <algorithm>

#include "zip/zip_compress.h"

namespace arkwiki::zip {

FileBlockSource::FileBlockSource(std::string path, std::unique_ptr<RandomAccessFile> file,
                                 std::vector<char>* buffer)
    : path_(std::move(path)), file_(std::move(file)), size_(file_->Size()), buffer_(buffer) {
  if (buffer_->size() < kBlockSize) buffer_->resize(kBlockSize);
}

Status FileBlockSource::Changed(uint64_t seen) const {
  return Status::Corruption("file " + path_ + " changed size while being archived (" +
                            std::to_string(size_) + " bytes when listed, " +
                            (seen > size_ ? "more than that" : std::to_string(seen)) +
                            " bytes read)");
}

// Reads until `n` bytes or end of file (ReadAt returns a short count only
// at the end), at the position the blocks delivered so far reached.
Result<size_t> FileBlockSource::Fill(char* dst, size_t n) {
  return file_->ReadAt(delivered_, dst, n);
}

Result<std::string_view> FileBlockSource::Next() {
  const uint64_t left = size_ - delivered_;
  if (left == 0) {
    // The file must end exactly where stat said it would.
    char probe;
    ARKWIKI_ASSIGN_OR_RETURN(size_t extra, Fill(&probe, 1));
    if (extra != 0) return Changed(size_ + 1);
    return std::string_view();
  }
  size_t want = static_cast<size_t>(std::min<uint64_t>(left, buffer_->size()));
  ARKWIKI_ASSIGN_OR_RETURN(size_t got, Fill(buffer_->data(), want));
  delivered_ += got;
  if (got < want) return Changed(delivered_);
  return std::string_view(buffer_->data(), got);
}

Result<std::string_view> BytesBlockSource::Next() {
  size_t n = std::min(data_.size() - pos_, kBlockSize);
  std::string_view out = data_.substr(pos_, n);
  pos_ += n;
  return out;
}

}  // namespace arkwiki::zip
