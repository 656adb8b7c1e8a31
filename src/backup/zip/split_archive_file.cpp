// A split archive read as one file, and its removal (see
// arkwiki/backup/split_archive.h).
#include <algorithm>
#include <mutex>
#include <utility>

#include "arkwiki/backup/split_archive.h"

namespace arkwiki {
namespace {

class SplitArchiveFile final : public RandomAccessFile {
 public:
  SplitArchiveFile(Env* env, std::unique_ptr<RandomAccessFile> rest,
                   std::vector<ArchivePiece> pieces)
      : env_(env), rest_(std::move(rest)), pieces_(std::move(pieces)) {
    carved_before_.push_back(0);
    for (const ArchivePiece& p : pieces_) carved_before_.push_back(carved_before_.back() + p.size);
    size_ = rest_->Size() + carved_before_.back();
  }

  uint64_t Size() const override { return size_; }

  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    size_t done = 0;
    while (done < n && offset + done < size_) {
      const uint64_t at = offset + done;
      // The first piece that ends after `at`.
      const size_t k = static_cast<size_t>(std::upper_bound(pieces_.begin(), pieces_.end(), at,
                                                            [](uint64_t o, const ArchivePiece& p) {
                                                              return o < p.offset + p.size;
                                                            }) -
                                           pieces_.begin());
      uint64_t want = n - done;
      Result<size_t> got = size_t{0};
      if (k < pieces_.size() && pieces_[k].offset <= at) {
        const ArchivePiece& piece = pieces_[k];
        want = std::min(want, piece.offset + piece.size - at);
        ARKWIKI_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> file, Piece(k));
        got = file->ReadAt(at - piece.offset, buf + done, static_cast<size_t>(want));
      } else {
        const uint64_t limit = k < pieces_.size() ? pieces_[k].offset : size_;
        want = std::min(want, limit - at);
        got = rest_->ReadAt(at - carved_before_[k], buf + done, static_cast<size_t>(want));
      }
      ARKWIKI_RETURN_IF_ERROR(got.status());
      if (*got == 0) {
        return Status::IoError("the received archive is shorter than when it was received");
      }
      done += *got;
    }
    return done;
  }

 private:
  // Pieces are opened when first read, a few kept open: an archive may have
  // thousands.
  static constexpr size_t kOpenPieces = 4;

  Result<std::shared_ptr<RandomAccessFile>> Piece(size_t k) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [index, file] : open_) {
      if (index == k) return file;
    }
    ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> opened,
                             env_->NewRandomAccessFile(pieces_[k].path));
    if (opened->Size() != pieces_[k].size) {
      return Status::IoError("the received archive's piece " + pieces_[k].path + " is " +
                             std::to_string(opened->Size()) + " bytes, not the " +
                             std::to_string(pieces_[k].size) + " received");
    }
    if (open_.size() == kOpenPieces) open_.erase(open_.begin());
    open_.emplace_back(k, std::shared_ptr<RandomAccessFile>(std::move(opened)));
    return open_.back().second;
  }

  Env* env_;
  std::unique_ptr<RandomAccessFile> rest_;
  std::vector<ArchivePiece> pieces_;
  std::vector<uint64_t> carved_before_;  // [k]: bytes of pieces 0..k-1
  uint64_t size_ = 0;
  mutable std::mutex mu_;
  mutable std::vector<std::pair<size_t, std::shared_ptr<RandomAccessFile>>> open_;
};

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> OpenSplitArchive(Env* env, const SplitArchive& archive) {
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> rest,
                           env->NewRandomAccessFile(archive.path));
  uint64_t end = 0, carved = 0;
  for (const ArchivePiece& p : archive.pieces) {
    // Each piece starts where the bytes before it, in the rest and in
    // earlier pieces, end at the latest.
    if (p.size == 0 || p.offset < end || p.offset - carved > rest->Size()) {
      return Status::IoError("the pieces of the received archive do not fit its rest file");
    }
    end = p.offset + p.size;
    carved += p.size;
  }
  if (rest->Size() + carved != archive.size) {
    return Status::IoError("the received archive's files hold " +
                           std::to_string(rest->Size() + carved) + " bytes, not the " +
                           std::to_string(archive.size) + " received");
  }
  if (archive.pieces.empty()) return rest;
  return std::unique_ptr<RandomAccessFile>(
      new SplitArchiveFile(env, std::move(rest), archive.pieces));
}

Status RemoveSplitArchive(Env* env, const SplitArchive& archive) {
  Status first;
  auto remove = [&](const std::string& path) {
    Status s = env->RemoveFile(path);
    if (!s.ok() && s.code() != StatusCode::kNotFound && first.ok()) first = s;
  };
  if (!archive.path.empty()) remove(archive.path);
  for (const ArchivePiece& p : archive.pieces) remove(p.path);
  return first;
}

}  // namespace arkwiki
