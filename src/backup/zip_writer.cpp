// ZipWriter: entry pipeline (choose method, compress, hash) and records.
// Why our own writer and not Poco's: see the header and zip_types.h.
#include "arkwiki/backup/zip_writer.h"

#include <libdeflate.h>

#include "arkwiki/core/hash.h"
#include "backup/zip_canonical.h"
#include "backup/zip_compress.h"
#include "backup/zip_format.h"
#include "backup/zip_names.h"
#include "backup/zip_source.h"

namespace arkwiki {

using zip::kMax32;

namespace {

constexpr size_t kCentralFlushBytes = size_t{1} << 20;

// Every record is encoded by zip_canonical.h, the same code the reader's
// canonical mode compares backup archives against.
template <class Record>  // ZipWriter::Record, which is private
zip::CanonicalEntry Canonical(const Record& r) {
  return zip::CanonicalEntry{r.name,      r.method,          r.dos_time,          r.dos_date,
                             r.crc32,     r.compressed_size, r.uncompressed_size, r.offset,
                             r.data_crc32};
}

}  // namespace

struct ZipWriter::EntryState {
  Record rec;
  Sha256 sha;
  int level = 1;
  bool auto_method = false;
};

ZipWriter::ZipWriter(ByteSink* sink)
    : sink_(sink), deflaters_(std::make_unique<zip::Deflaters>()) {}

ZipWriter::~ZipWriter() = default;

Status ZipWriter::Emit(std::string_view data) {
  Status s = sink_->Write(data);
  if (!s.ok()) {
    if (failed_.ok()) failed_ = s;  // the stream is now in an unknown state
    return s;
  }
  offset_ += data.size();
  return Status::Ok();
}

Status ZipWriter::CheckCanAdd(std::string_view name, const EntryOptions& options) const {
  if (!failed_.ok()) return failed_;
  if (finished_) return Status::InvalidArgument("ZipWriter: entry added after Finish()");
  if (options.deflate_level < zip::kMinLevel || options.deflate_level > zip::kMaxLevel) {
    return Status::InvalidArgument(zip::EntryMessage(
        name, "deflate level " + std::to_string(options.deflate_level) + " is outside 1..9"));
  }
  ARKWIKI_RETURN_IF_ERROR(zip::CheckEntryName(name, zip::kDefaultMaxNameBytes));
  if (folded_names_.count(zip::CaseFoldKey(name)) != 0) {
    return Status::InvalidArgument(zip::EntryMessage(
        name, "is already in the archive (names must differ even ignoring case)"));
  }
  return Status::Ok();
}

Status ZipWriter::AddFile(std::string_view name, Env* env, const std::string& path,
                          const EntryOptions& options, EntryInfo* out) {
  ARKWIKI_RETURN_IF_ERROR(CheckCanAdd(name, options));
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(path));
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(path));
  zip::FileBlockSource source(path, std::move(file), size, &in_block_);
  return AddEntry(name, &source, options, out);
}

Status ZipWriter::AddBytes(std::string_view name, std::string_view data,
                           const EntryOptions& options, EntryInfo* out) {
  zip::BytesBlockSource source(data);
  return AddEntry(name, &source, options, out);
}

Status ZipWriter::AddEntry(std::string_view name, zip::BlockSource* source,
                           const EntryOptions& options, EntryInfo* out) {
  ARKWIKI_RETURN_IF_ERROR(CheckCanAdd(name, options));
  const uint64_t start = offset_;
  EntryState st;
  st.level = options.deflate_level;
  st.auto_method = options.method == EntryOptions::Method::kAuto;
  Status s = [&]() -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view head, source->Next());
    ARKWIKI_ASSIGN_OR_RETURN(st.rec.method, ChooseMethod(name, head, source->size(), options));
    zip::DosDateTime dos = zip::ToDosDateTime(options.mtime_unix);
    st.rec.name = std::string(name);
    st.rec.dos_time = dos.time;
    st.rec.dos_date = dos.date;
    st.rec.offset = offset_;
    st.rec.uncompressed_size = source->size();
    if (st.rec.method == kZipMethodDeflate && source->size() <= zip::kWholeBufferMax) {
      return WriteWholeEntry(&st, source, head);
    }
    return WriteStreamedEntry(&st, source, head);
  }();
  if (!s.ok()) {
    // Part of the entry is in the stream: the archive cannot be completed.
    if (offset_ != start && failed_.ok()) failed_ = s;
    return s;
  }
  folded_names_.insert(zip::CaseFoldKey(name));
  if (out != nullptr) {
    const Record& r = st.rec;
    *out = EntryInfo{
        r.name,  r.method, r.crc32, r.compressed_size, r.uncompressed_size, st.sha.FinishHex(),
        r.offset};
  }
  central_.push_back(std::move(st.rec));
  return Status::Ok();
}

Result<uint16_t> ZipWriter::ChooseMethod(std::string_view name, std::string_view head,
                                         uint64_t size, const EntryOptions& options) {
  switch (options.method) {
    case EntryOptions::Method::kStore:
      return kZipMethodStore;
    case EntryOptions::Method::kDeflate:
      return kZipMethodDeflate;
    case EntryOptions::Method::kAuto:
      break;
  }
  if (size == 0 || zip::HasIncompressibleExtension(name) || zip::HasIncompressibleMagic(head)) {
    return kZipMethodStore;
  }
  // Small entries are compressed whole anyway and stored if that does not
  // pay; only probe the start of larger ones.
  if (size <= zip::kTrialBytes) return kZipMethodDeflate;
  ARKWIKI_ASSIGN_OR_RETURN(bool shrinks, deflaters_->TrialShrinks(head));
  return shrinks ? kZipMethodDeflate : kZipMethodStore;
}

// Entries up to kWholeBufferMax: one libdeflate call, stored if it does not
// shrink (kAuto: below 90%; kDeflate: at all).
Status ZipWriter::WriteWholeEntry(EntryState* st, zip::BlockSource* source, std::string_view head) {
  Record& r = st->rec;
  std::string_view all = head;
  if (head.size() < source->size()) {
    whole_in_.assign(head.begin(), head.end());
    for (;;) {
      ARKWIKI_ASSIGN_OR_RETURN(std::string_view block, source->Next());
      if (block.empty()) break;
      whole_in_.insert(whole_in_.end(), block.begin(), block.end());
    }
    all = std::string_view(whole_in_.data(), whole_in_.size());
  } else {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view rest, source->Next());  // checks the end
    (void)rest;
  }
  r.crc32 = static_cast<uint32_t>(libdeflate_crc32(0, all.data(), all.size()));
  st->sha.Update(all);
  size_t limit = st->auto_method ? all.size() / 10 * 9 : (all.empty() ? 0 : all.size() - 1);
  ARKWIKI_ASSIGN_OR_RETURN(size_t n, deflaters_->CompressWhole(st->level, all, limit, &whole_out_));
  std::string_view data = all;
  if (n == 0) {
    r.method = kZipMethodStore;
  } else {
    data = std::string_view(whole_out_.data(), n);
  }
  r.compressed_size = data.size();
  r.data_crc32 = static_cast<uint32_t>(libdeflate_crc32(0, data.data(), data.size()));
  ARKWIKI_RETURN_IF_ERROR(WriteLocalHeader(r));
  ARKWIKI_RETURN_IF_ERROR(Emit(data));
  return WriteDescriptor(r);
}

// Stored entries of any size and deflated ones above kWholeBufferMax, in
// 1 MiB blocks. ZIP64 is decided up front from the stat size, since the
// local header is written before the data.
Status ZipWriter::WriteStreamedEntry(EntryState* st, zip::BlockSource* source,
                                     std::string_view head) {
  Record& r = st->rec;
  const bool deflate = r.method == kZipMethodDeflate;
  r.zip64_local = zip::UsesLocalZip64(r.method, r.uncompressed_size);
  ARKWIKI_RETURN_IF_ERROR(WriteLocalHeader(r));
  uint64_t produced = 0;
  auto emit = [&](std::string_view d) {
    produced += d.size();
    r.data_crc32 = static_cast<uint32_t>(libdeflate_crc32(r.data_crc32, d.data(), d.size()));
    return Emit(d);
  };
  if (deflate) ARKWIKI_RETURN_IF_ERROR(deflaters_->StreamBegin());
  uint32_t crc = 0;
  for (std::string_view block = head; !block.empty();) {
    crc = static_cast<uint32_t>(libdeflate_crc32(crc, block.data(), block.size()));
    st->sha.Update(block);
    ARKWIKI_RETURN_IF_ERROR(deflate ? deflaters_->StreamUpdate(block, emit) : emit(block));
    ARKWIKI_ASSIGN_OR_RETURN(block, source->Next());
  }
  if (deflate) ARKWIKI_RETURN_IF_ERROR(deflaters_->StreamFinish(emit));
  r.crc32 = crc;
  r.compressed_size = produced;
  if (!r.zip64_local && produced >= kMax32) {
    return Status::Corruption(zip::EntryMessage(r.name,
                                                "internal error: compressed size "
                                                "overflowed without ZIP64"));
  }
  return WriteDescriptor(r);
}

Status ZipWriter::WriteLocalHeader(const Record& r) {
  std::string h;
  h.reserve(zip::kLocalHeaderSize + r.name.size() + 20);
  zip::EncodeLocalHeader(Canonical(r), &h);
  return Emit(h);
}

Status ZipWriter::WriteDescriptor(const Record& r) {
  std::string d;
  zip::EncodeDescriptor(Canonical(r), &d);
  return Emit(d);
}

Status ZipWriter::Finish() {
  if (!failed_.ok()) return failed_;
  if (finished_) return Status::InvalidArgument("ZipWriter: Finish() called twice");
  finished_ = true;
  const uint64_t cd_offset = offset_;
  ARKWIKI_RETURN_IF_ERROR(WriteCentralDirectory());
  ARKWIKI_RETURN_IF_ERROR(WriteEndRecords(cd_offset, offset_ - cd_offset));
  Status s = sink_->Flush();
  if (!s.ok()) failed_ = s;
  return s;
}

void ZipWriter::EncodeCentralRecord(const Record& r, std::string* out) {
  zip::EncodeCentralRecord(Canonical(r), out);
}

Status ZipWriter::WriteCentralDirectory() {
  std::string buf;
  for (const Record& r : central_) {
    EncodeCentralRecord(r, &buf);
    if (buf.size() >= kCentralFlushBytes) {
      ARKWIKI_RETURN_IF_ERROR(Emit(buf));
      buf.clear();
    }
  }
  return Emit(buf);
}

Status ZipWriter::WriteEndRecords(uint64_t cd_offset, uint64_t cd_size) {
  std::string e;
  zip::EncodeEndRecords(central_.size(), cd_offset, cd_size, &e);
  return Emit(e);
}

}  // namespace arkwiki
