// ZipWriter: entry pipeline (choose method, compress, hash) and records.
// Why our own writer and not Poco's: see the header and zip_types.h.
#include "zip/zip_writer.h"

#include <libdeflate.h>

#include "arkwiki/core/hash.h"
#include "zip/hash_set64.h"
#include "zip/zip_canonical.h"
#include "zip/zip_central_spool.h"
#include "zip/zip_compress.h"
#include "zip/zip_format.h"
#include "zip/zip_names.h"
#include "zip/zip_source.h"

namespace arkwiki {

using zip::kMax32;

namespace {

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
  std::string sha_hex;  // set when the sink hashed the data (BeginSha256Range)
  int level = 1;
  bool auto_method = false;
};

ZipPrepareScratch::ZipPrepareScratch() : deflaters_(std::make_unique<zip::Deflaters>()) {}

ZipPrepareScratch::~ZipPrepareScratch() = default;

ZipWriter::ZipWriter(ByteSink* sink)
    : sink_(sink),
      central_(std::make_unique<zip::CentralSpool>()),
      folded_hashes_(std::make_unique<zip::HashSet64>()) {}

Status ZipWriter::SpoolCentralDirectory(Env* env, const std::string& path) {
  if (entry_count_ != 0 || finished_) {
    return Status::InvalidArgument("ZipWriter: spool set up after the first entry");
  }
  return central_->UseFile(env, path);
}

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
  ARKWIKI_ASSIGN_OR_RETURN(bool taken, IsNameTaken(name));
  if (taken) {
    return Status::InvalidArgument(zip::EntryMessage(
        name, "is already in the archive (names must differ even ignoring case)"));
  }
  return Status::Ok();
}

uint64_t ZipWriter::FoldedHash(std::string_view name) {
  return std::hash<std::string>{}(zip::CaseFoldKey(name));
}

// A hash hit is confirmed against the names themselves: it is rare (a
// duplicate, or a 64-bit collision). A name after the run's last
// (case-folded) differs from every name of the run; one that is not is
// compared with the names themselves too. Both read the whole directory
// back, which only a duplicate or a name that ends a run costs: a few in
// an archive arkwiki writes.
Result<bool> ZipWriter::IsNameTaken(std::string_view name) const {
  const bool in_set = folded_hashes_->Contains(FoldedHash(name));
  const bool after_run = run_size_ == 0 || zip::CompareFolded(name, run_last_) > 0;
  if (!in_set && after_run) return false;
  const std::string key = zip::CaseFoldKey(name);
  return AnyCentralName([&](std::string_view n) { return zip::CaseFoldKey(n) == key; });
}

// Extends the run when `name` comes after its last name (case-folded);
// otherwise the run's names join the set and `name` starts the next run,
// or joins the set too once kMaxRuns runs have ended.
Status ZipWriter::NoteName(std::string_view name) {
  if (run_size_ > 0 && zip::CompareFolded(name, run_last_) > 0) {
    run_last_.assign(name);
    ++run_size_;
    return Status::Ok();
  }
  if (run_size_ > 0) {
    size_t index = 0;
    ARKWIKI_RETURN_IF_ERROR(AnyCentralName([&](std::string_view n) {
                              if (index >= run_start_) folded_hashes_->Insert(FoldedHash(n));
                              return ++index == run_start_ + run_size_;
                            }).status());
    run_size_ = 0;
    run_last_.clear();
  }
  if (runs_started_ == kMaxRuns) {
    folded_hashes_->Insert(FoldedHash(name));
    return Status::Ok();
  }
  ++runs_started_;
  run_start_ = entry_count_;
  run_size_ = 1;
  run_last_.assign(name);
  return Status::Ok();
}

Status ZipWriter::AddFile(std::string_view name, Env* env, const std::string& path,
                          const EntryOptions& options, EntryInfo* out) {
  ARKWIKI_RETURN_IF_ERROR(CheckCanAdd(name, options));
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  zip::FileBlockSource source(path, std::move(file), &scratch_.in_block_);
  return AddEntry(name, &source, options, out);
}

Status ZipWriter::AddBytes(std::string_view name, std::string_view data,
                           const EntryOptions& options, EntryInfo* out) {
  zip::BytesBlockSource source(data);
  return AddEntry(name, &source, options, out);
}

Status ZipWriter::AddSource(std::string_view name, zip::BlockSource* source,
                            const EntryOptions& options, EntryInfo* out) {
  return AddEntry(name, source, options, out);
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
    ARKWIKI_ASSIGN_OR_RETURN(st.rec.method, ChooseMethod(scratch_.deflaters_.get(), name, head,
                                                         source->size(), options));
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
  if (out != nullptr) {
    const Record& r = st.rec;
    *out = EntryInfo{r.name,
                     r.method,
                     r.crc32,
                     r.compressed_size,
                     r.uncompressed_size,
                     st.sha_hex.empty() ? st.sha.FinishHex() : st.sha_hex,
                     r.offset};
  }
  return AppendCentral(st.rec);
}

Result<uint16_t> ZipWriter::ChooseMethod(zip::Deflaters* deflaters, std::string_view name,
                                         std::string_view head, uint64_t size,
                                         const EntryOptions& options) {
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
  ARKWIKI_ASSIGN_OR_RETURN(bool shrinks, deflaters->TrialShrinks(head));
  return shrinks ? kZipMethodDeflate : kZipMethodStore;
}

// An entry held whole in memory: gathers it, then CRC-32, SHA-256 and, for
// deflate, one libdeflate call, stored instead if that does not shrink
// (kAuto: below 90%; kDeflate: at all). Fills st->rec's method, CRC-32s and
// compressed size; *data views the bytes to store, in `scratch`.
Status ZipWriter::PrepareWhole(EntryState* st, zip::BlockSource* source, std::string_view head,
                               ZipPrepareScratch* scratch, std::string_view* data) {
  Record& r = st->rec;
  std::string_view all = head;
  if (head.size() < source->size()) {
    scratch->whole_in_.reserve(source->size());  // one allocation, no regrowth copies
    scratch->whole_in_.assign(head.begin(), head.end());
    for (;;) {
      ARKWIKI_ASSIGN_OR_RETURN(std::string_view block, source->Next());
      if (block.empty()) break;
      scratch->whole_in_.insert(scratch->whole_in_.end(), block.begin(), block.end());
    }
    all = std::string_view(scratch->whole_in_.data(), scratch->whole_in_.size());
  } else {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view rest, source->Next());  // checks the end
    (void)rest;
  }
  r.crc32 = static_cast<uint32_t>(libdeflate_crc32(0, all.data(), all.size()));
  st->sha.Update(all);
  size_t n = 0;
  if (r.method == kZipMethodDeflate) {
    size_t limit = st->auto_method ? all.size() / 10 * 9 : (all.empty() ? 0 : all.size() - 1);
    ARKWIKI_ASSIGN_OR_RETURN(
        n, scratch->deflaters_->CompressWhole(st->level, all, limit, &scratch->whole_out_));
  }
  *data = all;
  if (n == 0) {
    r.method = kZipMethodStore;
  } else {
    *data = std::string_view(scratch->whole_out_.data(), n);
  }
  r.compressed_size = data->size();
  r.data_crc32 = n == 0 ? r.crc32  // stored: the same bytes
                        : static_cast<uint32_t>(libdeflate_crc32(0, data->data(), data->size()));
  return Status::Ok();
}

// Entries up to kWholeBufferMax that are deflated.
Status ZipWriter::WriteWholeEntry(EntryState* st, zip::BlockSource* source, std::string_view head) {
  std::string_view data;
  ARKWIKI_RETURN_IF_ERROR(PrepareWhole(st, source, head, &scratch_, &data));
  Status s = EmitWhole(st->rec, data);
  // A large entry's buffers (up to 2 x 8 MiB) are not kept for the small
  // ones that follow.
  if (scratch_.whole_in_.capacity() > kMaxPreparedBytes)
    std::vector<char>().swap(scratch_.whole_in_);
  if (scratch_.whole_out_.capacity() > kMaxPreparedBytes) {
    std::vector<char>().swap(scratch_.whole_out_);
  }
  return s;
}

Status ZipWriter::EmitWhole(const Record& r, std::string_view data) {
  ARKWIKI_RETURN_IF_ERROR(WriteLocalHeader(r));
  ARKWIKI_RETURN_IF_ERROR(Emit(data));
  return WriteDescriptor(r);
}

Result<PreparedEntry> ZipWriter::Prepare(std::string_view name, Env* env, const std::string& path,
                                         const EntryOptions& options, ZipPrepareScratch* scratch) {
  if (options.deflate_level < zip::kMinLevel || options.deflate_level > zip::kMaxLevel) {
    return Status::InvalidArgument(zip::EntryMessage(
        name, "deflate level " + std::to_string(options.deflate_level) + " is outside 1..9"));
  }
  ARKWIKI_RETURN_IF_ERROR(zip::CheckEntryName(name, zip::kDefaultMaxNameBytes));
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(path));
  const uint64_t size = file->Size();
  if (size > kMaxPreparedBytes) {
    return Status::InvalidArgument(zip::EntryMessage(name, "is too large to prepare in memory"));
  }
  zip::FileBlockSource source(path, std::move(file), &scratch->in_block_);
  EntryState st;
  st.level = options.deflate_level;
  st.auto_method = options.method == EntryOptions::Method::kAuto;
  ARKWIKI_ASSIGN_OR_RETURN(std::string_view head, source.Next());
  ARKWIKI_ASSIGN_OR_RETURN(st.rec.method,
                           ChooseMethod(scratch->deflaters_.get(), name, head, size, options));
  const zip::DosDateTime dos = zip::ToDosDateTime(options.mtime_unix);
  st.rec.uncompressed_size = size;
  std::string_view data;
  ARKWIKI_RETURN_IF_ERROR(PrepareWhole(&st, &source, head, scratch, &data));
  PreparedEntry e;
  const Record& r = st.rec;
  e.info = EntryInfo{std::string(name),  r.method, r.crc32, r.compressed_size, size,
                     st.sha.FinishHex(), 0};
  e.data_crc32 = r.data_crc32;
  e.dos_time = dos.time;
  e.dos_date = dos.date;
  e.data.assign(data);
  return e;
}

Status ZipWriter::AddPrepared(PreparedEntry entry, EntryInfo* out) {
  ARKWIKI_RETURN_IF_ERROR(CheckCanAdd(entry.info.name, EntryOptions{}));
  const EntryInfo& i = entry.info;
  Record r;
  r.name = i.name;
  r.method = i.method;
  r.dos_time = entry.dos_time;
  r.dos_date = entry.dos_date;
  r.crc32 = i.crc32;
  r.data_crc32 = entry.data_crc32;
  r.compressed_size = i.compressed_size;
  r.uncompressed_size = i.uncompressed_size;
  r.offset = offset_;
  const uint64_t start = offset_;
  Status s = EmitWhole(r, entry.data);
  if (!s.ok()) {
    if (offset_ != start && failed_.ok()) failed_ = s;  // part of it is in the stream
    return s;
  }
  if (out != nullptr) {
    *out = std::move(entry.info);
    out->local_header_offset = r.offset;
  }
  return AppendCentral(r);
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
    if (deflate) {  // stored data is the input: its CRC is r.crc32
      r.data_crc32 = static_cast<uint32_t>(libdeflate_crc32(r.data_crc32, d.data(), d.size()));
    }
    return Emit(d);
  };
  zip::Deflaters* deflaters = scratch_.deflaters_.get();
  if (deflate) ARKWIKI_RETURN_IF_ERROR(deflaters->StreamBegin());
  // Stored data is the input itself: a sink that sees every byte anyway
  // (HashingSink) hashes it on another thread.
  const bool sink_hashes = !deflate && sink_->BeginSha256Range();
  uint32_t crc = 0;
  for (std::string_view block = head; !block.empty();) {
    crc = static_cast<uint32_t>(libdeflate_crc32(crc, block.data(), block.size()));
    if (!sink_hashes) st->sha.Update(block);
    ARKWIKI_RETURN_IF_ERROR(deflate ? deflaters->StreamUpdate(block, emit) : emit(block));
    ARKWIKI_ASSIGN_OR_RETURN(block, source->Next());
  }
  if (deflate) ARKWIKI_RETURN_IF_ERROR(deflaters->StreamFinish(emit));
  if (sink_hashes) {
    ARKWIKI_ASSIGN_OR_RETURN(st->sha_hex, sink_->EndSha256Range());
  }
  r.crc32 = crc;
  if (!deflate) r.data_crc32 = crc;
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

// The central directory is encoded as each entry completes, into pieces of
// about 1 MiB (zip_central_spool.h): ~130 bytes per entry and no allocation
// per entry, where a Record per entry (with its name on the heap) took ~220.
// The entry is in the archive already: a record lost here is fatal.
Status ZipWriter::AppendCentral(const Record& r) {
  Status s = NoteName(r.name);  // before the record: the run ends before it
  EncodeCentralRecord(r, central_->Tail());
  ++entry_count_;
  if (s.ok()) s = central_->Sealed();
  if (!s.ok() && failed_.ok()) failed_ = s;
  return s;
}

// The names of the entries so far, read back from the encoded directory
// (46-byte fixed part; name, extra and comment lengths at offsets 28-33).
Result<bool> ZipWriter::AnyCentralName(const std::function<bool(std::string_view)>& match) const {
  bool found = false;
  ARKWIKI_RETURN_IF_ERROR(central_->ForEachPiece([&](std::string_view piece, bool* stop) {
    for (size_t at = 0; at + 46 <= piece.size();) {
      auto u16 = [&](size_t i) {
        return static_cast<size_t>(static_cast<unsigned char>(piece[at + i])) |
               static_cast<size_t>(static_cast<unsigned char>(piece[at + i + 1])) << 8;
      };
      const size_t name_len = u16(28), extra_len = u16(30), comment_len = u16(32);
      if (match(piece.substr(at + 46, name_len))) {
        found = *stop = true;
        break;
      }
      at += 46 + name_len + extra_len + comment_len;
    }
    return Status::Ok();
  }));
  return found;
}

Status ZipWriter::WriteCentralDirectory() {
  Status s =
      central_->ForEachPiece([&](std::string_view piece, bool* /*stop*/) { return Emit(piece); });
  if (!s.ok() && failed_.ok()) failed_ = s;  // a spool read error: the archive is cut short
  central_->Clear();
  return s;
}

Status ZipWriter::WriteEndRecords(uint64_t cd_offset, uint64_t cd_size) {
  std::string e;
  zip::EncodeEndRecords(entry_count_, cd_offset, cd_size, &e);
  return Emit(e);
}

}  // namespace arkwiki
