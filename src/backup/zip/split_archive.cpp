// ArchiveSplitter: a received archive split at its stored entries (see
// arkwiki/backup/split_archive.h).
#include "arkwiki/backup/split_archive.h"

#include <libdeflate.h>

#include <algorithm>
#include <cstring>

#include "arkwiki/backup/byte_sink.h"
#include "zip/hashing_sink.h"
#include "zip/zip_format.h"
#include "zip/zip_types.h"

namespace arkwiki {

namespace {

// The rest file is written in blocks of at least this size: an archive of
// many small entries would otherwise cost a write per header and descriptor.
constexpr size_t kRestBlock = size_t{256} << 10;

// Whether the local header's extra fields (ZIP64, tag 1) mark the entry's
// data descriptor as 64-bit, as arkwiki's writer does for large entries.
bool HasZip64Extra(std::string_view extra) {
  while (extra.size() >= 4) {
    const uint16_t tag = zip::Get16(extra.data());
    const uint16_t len = zip::Get16(extra.data() + 2);
    if (tag == zip::kZip64ExtraTag) return true;
    if (extra.size() - 4 < len) return false;
    extra.remove_prefix(4 + size_t{len});
  }
  return false;
}

}  // namespace

const ArchivePiece* SplitArchive::PieceAt(uint64_t offset, uint64_t size) const {
  auto it = std::lower_bound(pieces.begin(), pieces.end(), offset,
                             [](const ArchivePiece& p, uint64_t o) { return p.offset < o; });
  if (it == pieces.end() || it->offset != offset || it->size != size) return nullptr;
  return &*it;
}

ArchiveSplitter::ArchiveSplitter(Env* env, std::string path, std::unique_ptr<WritableFile> rest,
                                 uint64_t min_piece_bytes)
    : env_(env), min_piece_bytes_(min_piece_bytes), rest_(std::move(rest)) {
  archive_.path = std::move(path);
}

Result<std::unique_ptr<ArchiveSplitter>> ArchiveSplitter::Create(Env* env, std::string path,
                                                                 uint64_t min_piece_bytes) {
  if (min_piece_bytes == 0) {
    return Status::InvalidArgument("ArchiveSplitter: a piece must hold at least one byte");
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto rest, env->NewWritableFile(path, CreateMode::kExclusive));
  return std::unique_ptr<ArchiveSplitter>(
      new ArchiveSplitter(env, std::move(path), std::move(rest), min_piece_bytes));
}

ArchiveSplitter::~ArchiveSplitter() {
  hashed_.reset();  // stops its threads before the file they write to goes
  piece_.reset();
  if (finished_) return;
  rest_.reset();
  (void)RemoveSplitArchive(env_, archive_);  // best effort: staging is emptied at start
}

Status ArchiveSplitter::Write(std::string_view data) {
  if (finished_ || rest_ == nullptr) {
    return Status::InvalidArgument("ArchiveSplitter: write after Finish or a failure");
  }
  Status s;
  while (s.ok() && !data.empty()) {
    switch (state_) {
      case State::kHeader:
        s = FeedHeader(&data);
        break;
      case State::kData:
        s = FeedData(&data);
        break;
      case State::kRest:
        s = ToRest(data);
        offset_ += data.size();
        data = {};
        break;
    }
  }
  if (!s.ok()) rest_.reset();  // spent; the destructor removes the files
  return s;
}

// Collects a local header. A complete one that announces a data
// descriptor starts an entry; anything else sends the rest of the stream
// to the rest file (the central directory, or a layout this does not
// follow).
Status ArchiveSplitter::FeedHeader(std::string_view* in) {
  size_t need = zip::kLocalHeaderSize;
  if (header_.size() >= need) {
    need += size_t{zip::Get16(header_.data() + 26)} + zip::Get16(header_.data() + 28);
  }
  const size_t take = std::min(need - header_.size(), in->size());
  header_.append(in->substr(0, take));
  in->remove_prefix(take);
  offset_ += take;
  if (header_.size() < zip::kLocalHeaderSize) return Status::Ok();
  if (zip::Get32(header_.data()) != zip::kLocalHeaderSig) {
    state_ = State::kRest;
  } else {
    const size_t name = zip::Get16(header_.data() + 26);
    const size_t extra = zip::Get16(header_.data() + 28);
    if (header_.size() < zip::kLocalHeaderSize + name + extra) return Status::Ok();
    if ((zip::Get16(header_.data() + 6) & kZipFlagDataDescriptor) == 0) {
      state_ = State::kRest;
    } else {
      stored_ = zip::Get16(header_.data() + 8) == kZipMethodStore;
      const bool zip64 =
          HasZip64Extra(std::string_view(header_).substr(zip::kLocalHeaderSize + name, extra));
      descriptor_ = zip64 ? 24 : 16;
      state_ = State::kData;
      data_start_ = offset_;
      data_bytes_ = 0;
    }
  }
  Status s = ToRest(header_);
  header_.clear();
  return s;
}

// Whether buf[i] starts the entry's data descriptor: its signature, and a
// compressed size equal to the data bytes before it (for a stored entry,
// an uncompressed size equal to that too). buf holds at least
// descriptor_ bytes from i.
bool ArchiveSplitter::DescriptorAt(std::string_view buf, size_t i) const {
  const char* d = buf.data() + i;
  if (zip::Get32(d) != zip::kDataDescriptorSig) return false;
  const uint64_t data = data_bytes_ + i;
  const uint64_t compressed = descriptor_ == 24 ? zip::Get64(d + 8) : zip::Get32(d + 8);
  const uint64_t uncompressed = descriptor_ == 24 ? zip::Get64(d + 16) : zip::Get32(d + 12);
  return compressed == data && (!stored_ || uncompressed == compressed);
}

// Passes an entry's data on until its descriptor. Bytes that may start the
// descriptor but arrived without all of it wait in carry_ for the next
// call.
Status ArchiveSplitter::FeedData(std::string_view* in) {
  std::string joined;
  std::string_view buf = *in;
  if (!carry_.empty()) {
    joined = std::move(carry_);
    carry_.clear();
    joined.append(*in);
    buf = joined;
  }
  const size_t carried = buf.size() - in->size();
  size_t i = 0;
  for (;;) {
    const void* p = i < buf.size() ? std::memchr(buf.data() + i, 'P', buf.size() - i) : nullptr;
    if (p == nullptr) {
      i = buf.size();
      break;
    }
    i = static_cast<size_t>(static_cast<const char*>(p) - buf.data());
    if (buf.size() - i < descriptor_) break;
    if (DescriptorAt(buf, i)) {
      ARKWIKI_RETURN_IF_ERROR(AppendData(buf.substr(0, i)));
      ARKWIKI_RETURN_IF_ERROR(EndEntry());
      ARKWIKI_RETURN_IF_ERROR(ToRest(buf.substr(i, descriptor_)));
      state_ = State::kHeader;
      // The carried bytes (fewer than a descriptor) all lie before its end.
      const size_t used = i + descriptor_ - carried;
      in->remove_prefix(used);
      offset_ += used;
      return Status::Ok();
    }
    ++i;
  }
  ARKWIKI_RETURN_IF_ERROR(AppendData(buf.substr(0, i)));
  carry_.assign(buf.substr(i));
  offset_ += in->size();
  *in = {};
  return Status::Ok();
}

// An entry's data: a deflated entry's to the rest file; a stored entry's
// held until it reaches min_piece_bytes_, then written to a piece of its own.
Status ArchiveSplitter::AppendData(std::string_view data) {
  data_bytes_ += data.size();
  if (!stored_) return ToRest(data);
  if (piece_ == nullptr) {
    held_.append(data);
    if (held_.size() < min_piece_bytes_) return Status::Ok();
    ARKWIKI_RETURN_IF_ERROR(StartPiece());
    data = held_;
  }
  piece_crc32_ = static_cast<uint32_t>(libdeflate_crc32(piece_crc32_, data.data(), data.size()));
  Status s = hashed_->Write(data);
  held_.clear();
  return s;
}

Status ArchiveSplitter::StartPiece() {
  ArchivePiece piece{data_start_, 0,
                     archive_.path + ".piece-" + std::to_string(archive_.pieces.size()), "", 0};
  ARKWIKI_ASSIGN_OR_RETURN(piece_, FileByteSink::Create(env_, piece.path, CreateMode::kExclusive));
  archive_.pieces.push_back(std::move(piece));  // removed on failure from here on
  (void)piece_->UseDirectIo();                  // else through the page cache
  if (hashed_ == nullptr) {
    hashed_ = std::make_unique<HashingSink>(piece_.get());
  } else {
    ARKWIKI_RETURN_IF_ERROR(hashed_->Restart(piece_.get()));
  }
  piece_crc32_ = 0;
  return Status::Ok();
}

// The piece's bytes are on the disk when it ends: its blocks went with
// direct I/O, and the tail that went through the page cache is written
// back here, so that a write-back error is reported now, not lost before
// the import's own file-system sync is opened. That sync makes them durable
// (one disk-cache flush for all: an fdatasync per piece cost about a fifth
// of a 4 GB import, benchmarks/README.md).
Status ArchiveSplitter::EndPiece() {
  ArchivePiece& piece = archive_.pieces.back();
  piece.size = data_bytes_;
  piece.crc32 = piece_crc32_;
  ARKWIKI_RETURN_IF_ERROR(hashed_->Flush());
  piece.sha256 = hashed_->FinishHex();
  ARKWIKI_RETURN_IF_ERROR(piece_->WriteBackAndWait());
  ARKWIKI_RETURN_IF_ERROR(piece_->Close());
  piece_.reset();
  return Status::Ok();
}

Status ArchiveSplitter::EndEntry() {
  if (piece_ != nullptr) return EndPiece();
  Status s = ToRest(held_);
  held_.clear();
  return s;
}

Status ArchiveSplitter::ToRest(std::string_view data) {
  if (data.size() >= kRestBlock) {
    ARKWIKI_RETURN_IF_ERROR(FlushRest());
    return rest_->Append(data);
  }
  rest_block_.append(data);
  return rest_block_.size() < kRestBlock ? Status::Ok() : FlushRest();
}

Status ArchiveSplitter::FlushRest() {
  if (rest_block_.empty()) return Status::Ok();
  Status s = rest_->Append(rest_block_);
  rest_block_.clear();
  return s;
}

Result<SplitArchive> ArchiveSplitter::Finish() {
  if (finished_ || rest_ == nullptr) {
    return Status::InvalidArgument("ArchiveSplitter: Finish after Finish or a failure");
  }
  // An archive cut short inside an entry or a header: what arrived is kept
  // as it is, for the checks to refuse.
  Status s;
  if (state_ == State::kData) {
    s = AppendData(carry_);  // no descriptor came: it is all data
    if (s.ok()) s = EndEntry();
  } else if (state_ == State::kHeader) {
    s = ToRest(header_);
  }
  if (s.ok()) s = FlushRest();
  if (s.ok()) s = rest_->Close();
  if (!s.ok()) {
    rest_.reset();
    return s;
  }
  finished_ = true;
  archive_.size = offset_;
  return archive_;
}

}  // namespace arkwiki
