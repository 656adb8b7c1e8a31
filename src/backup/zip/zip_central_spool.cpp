#include "zip/zip_central_spool.h"

namespace arkwiki::zip {

CentralSpool::~CentralSpool() {
  if (file_ == nullptr) return;
  (void)file_->Close();           // scratch: its contents no longer matter
  (void)env_->RemoveFile(path_);  // nothing else may be left behind
}

Status CentralSpool::UseFile(Env* env, std::string path) {
  if (file_ != nullptr || !pieces_.empty()) {
    return Status::InvalidArgument("the central directory spool must be set up first, once");
  }
  ARKWIKI_ASSIGN_OR_RETURN(file_, env->NewWritableFile(path, CreateMode::kExclusive));
  env_ = env;
  path_ = std::move(path);
  return Status::Ok();
}

std::string* CentralSpool::Tail() {
  if (pieces_.empty() || pieces_.back().size() >= kPieceBytes) {
    pieces_.emplace_back();
    pieces_.back().reserve(kPieceBytes + 1024);
  }
  return &pieces_.back();
}

Status CentralSpool::Sealed() {
  if (file_ == nullptr || pieces_.empty() || pieces_.back().size() < kPieceBytes) {
    return Status::Ok();
  }
  Status s = file_->Append(pieces_.back());
  if (!s.ok()) {
    return s.code() == StatusCode::kNoSpace
               ? s
               : Status::IoError("writing the central directory spool " + path_ + ": " +
                                 s.message());
  }
  spooled_.push_back(pieces_.back().size());
  pieces_.back().clear();  // reused as the next tail: no allocation per piece
  return Status::Ok();
}

Status CentralSpool::ForEachPiece(
    const std::function<Status(std::string_view piece, bool* stop)>& on_piece) const {
  bool stop = false;
  if (!spooled_.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(auto in, env_->NewRandomAccessFile(path_));
    std::string buffer;
    uint64_t offset = 0;
    for (size_t size : spooled_) {
      buffer.resize(size);
      ARKWIKI_ASSIGN_OR_RETURN(size_t got, in->ReadAt(offset, buffer.data(), size));
      if (got != size) {
        return Status::IoError("the central directory spool " + path_ + " ended short");
      }
      offset += size;
      ARKWIKI_RETURN_IF_ERROR(on_piece(buffer, &stop));
      if (stop) return Status::Ok();
    }
  }
  for (const std::string& piece : pieces_) {
    ARKWIKI_RETURN_IF_ERROR(on_piece(piece, &stop));
    if (stop) return Status::Ok();
  }
  return Status::Ok();
}

void CentralSpool::Clear() { std::vector<std::string>().swap(pieces_); }

}  // namespace arkwiki::zip
