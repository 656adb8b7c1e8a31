#include "format/manifest_file_store.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "arkwiki/backup/archive_format.h"

namespace arkwiki {

ManifestFile ManifestFileStore::File::Get() const {
  if (other != nullptr) {
    ManifestFile f = *other;
    f.size = size;  // its own, also where `other` stands for a dropped file
    return f;
  }
  std::string sha = HexEncode(upload_hash->data(), upload_hash->size());
  return ManifestFile{UploadEntryPath(sha), size, std::move(sha)};
}

ManifestFileStore::ManifestFileStore(Env* env, std::string scratch_path, size_t held_max)
    : env_(env), path_(std::move(scratch_path)), held_max_(std::max<size_t>(held_max, 1)) {}

ManifestFileStore ManifestFileStore::InDir(Env* env, const std::string& dir, size_t held_max) {
  return ManifestFileStore(env, JoinPath(dir, "arkwiki-manifest-files-" + RandomHex(8) + ".bin"),
                           held_max);
}

ManifestFileStore ManifestFileStore::Of(const ManifestFiles& files) {
  ManifestFileStore store;
  store.others_kept_ = SIZE_MAX;  // a faithful copy, of a list not read from an archive
  store.held_.reserve(files.size());
  for (const ManifestFile& f : files) (void)store.Add(f);  // held: cannot fail
  return store;
}

ManifestFileStore::~ManifestFileStore() { Remove(); }

ManifestFileStore::ManifestFileStore(ManifestFileStore&& o) noexcept
    : env_(o.env_),
      path_(std::move(o.path_)),
      held_max_(o.held_max_),
      held_(std::move(o.held_)),
      others_kept_(o.others_kept_),
      others_(std::move(o.others_)),
      others_dropped_(o.others_dropped_),
      out_(std::move(o.out_)),
      in_(std::move(o.in_)),
      created_(o.created_),
      finished_(o.finished_),
      failed_(o.failed_.load()),
      count_(o.count_),
      uploads_(o.uploads_),
      ascending_(o.ascending_),
      last_upload_(o.last_upload_) {
  o.created_ = false;
}

void ManifestFileStore::Remove() {
  if (out_) (void)out_->Close();
  out_.reset();
  if (created_) (void)env_->RemoveFile(path_);  // scratch
  created_ = false;
}

Status ManifestFileStore::Add(const ManifestFile& file) {
  Record r;
  // As ManifestFiles::Encode: an upload is named by its own hash.
  if (file.size != kOther && ParseSha256Hex(file.sha256, &r.sha256) &&
      UploadEntryHash(file.path) == file.sha256) {
    r.size = file.size;
    if (uploads_ > 0 && !(last_upload_ < r.sha256)) ascending_ = false;
    last_upload_ = r.sha256;
    ++uploads_;
  } else {
    // Past kOthersKept, such a file stands for the last one kept (see the
    // header) and only its size is its own.
    auto index = static_cast<uint32_t>(others_kept_ - 1);
    if (others_.size() < others_kept_) {
      index = static_cast<uint32_t>(others_.size());
      others_.push_back(file);
    } else {
      others_dropped_ = true;
    }
    std::memcpy(r.sha256.data(), &index, sizeof index);
    std::memcpy(r.sha256.data() + kOtherSizeAt, &file.size, sizeof file.size);
    r.size = kOther;
  }
  if (env_ != nullptr && held_.size() == held_max_ && !out_) {
    ARKWIKI_RETURN_IF_ERROR(Failed(CreateUnnamed()));
    // Written before this record is added, so that the vector of held
    // records never grows past `held_max_` (doubling it held three times
    // as much for a moment).
    ARKWIKI_RETURN_IF_ERROR(Failed(Spill()));
  }
  held_.push_back(r);
  ++count_;
  if (out_ && held_.size() >= kBlockRecords) return Failed(Spill());
  return Status::Ok();
}

Result<std::vector<ManifestFile>> ManifestFileStore::First(size_t count) const {
  std::vector<ManifestFile> first;
  Cursor cursor = Walk();
  while (first.size() < count) {
    ARKWIKI_ASSIGN_OR_RETURN(const File* f, cursor.Next());
    if (f == nullptr) break;
    first.push_back(f->Get());
  }
  return first;
}

Status ManifestFileStore::Failed(Status s) const {
  if (!s.ok()) failed_ = true;
  return s;
}

// Creates the scratch file, opens it for reading too, and removes its name
// at once: from then on a crash leaves nothing behind, and nothing put at
// the name later is read. Only a file this store created is removed (one
// that already stood there is someone else's: AlreadyExists).
Status ManifestFileStore::CreateUnnamed() {
  // On a failure after the create, created_ leaves the name to Remove.
  ARKWIKI_ASSIGN_OR_RETURN(UnnamedFile file, CreateUnnamedFile(env_, path_, &created_));
  out_ = std::move(file.out);
  in_ = std::move(file.in);
  return Status::Ok();
}

// Writes the buffered records; the buffer keeps its capacity (one block).
Status ManifestFileStore::Spill() {
  static_assert(sizeof(Record) == 40 && std::is_trivially_copyable_v<Record>);
  Status s = out_->Append(
      std::string_view(reinterpret_cast<const char*>(held_.data()), held_.size() * sizeof(Record)));
  held_.clear();
  if (held_.capacity() > 2 * kBlockRecords) {  // the records held before the first spill
    std::vector<Record>().swap(held_);
    held_.reserve(kBlockRecords);
  }
  return s.WithContext("writing the manifest's file list to scratch file " + path_);
}

Status ManifestFileStore::Finish() { return Failed(FinishScratch()); }

Status ManifestFileStore::FinishScratch() {
  if (!out_) return Status::Ok();
  if (!in_) {
    return Status::InvalidArgument("the manifest's scratch file " + path_ +
                                   " was finished after it failed");
  }
  Status s = held_.empty() ? Status::Ok() : Spill();
  Status closed = out_->Close();  // scratch: not synced
  out_.reset();
  std::vector<Record>().swap(held_);
  ARKWIKI_RETURN_IF_ERROR(s);
  ARKWIKI_RETURN_IF_ERROR(
      closed.WithContext("writing the manifest's file list to scratch file " + path_));
  // Every record written, and nothing past them.
  char byte = 0;
  const uint64_t written = count_ * sizeof(Record);
  ARKWIKI_ASSIGN_OR_RETURN(size_t last, in_->ReadAt(written - 1, &byte, 1));
  ARKWIKI_ASSIGN_OR_RETURN(size_t beyond, in_->ReadAt(written, &byte, 1));
  if (last != 1 || beyond != 0) {
    return Status::IoError("the scratch file of the manifest's files (" + path_ +
                           ", unnamed) does not hold the " + std::to_string(written) +
                           " bytes written");
  }
  finished_ = true;
  return Status::Ok();
}

Result<ManifestFiles> ManifestFileStore::ToManifestFiles() const {
  // A list that dropped files is refused by every check; it is only counted,
  // so that no copy of a file stands in another's place.
  if (spilled() || others_dropped_) return ManifestFiles::NotHeld(count_);
  ManifestFiles files;
  files.reserve(count_);
  Cursor c = Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const File* f, c.Next());
    if (f == nullptr) return files;
    if (f->upload_hash != nullptr) {
      files.PushUpload(*f->upload_hash, f->size);
    } else {
      files.push_back(*f->other);
    }
  }
}

Status ManifestFileStore::Cursor::Fill() {
  if (!store_->finished_) {
    return Status::InvalidArgument("the manifest's files were walked before the scratch file " +
                                   store_->path_ + " was finished");
  }
  const size_t left = store_->count_ - read_;
  block_records_ = std::min(left, kBlockRecords);
  block_.resize(block_records_ * sizeof(Record));
  size_t got = 0;
  while (got < block_.size()) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n,
                             store_->in_->ReadAt(read_ * sizeof(Record) + got, block_.data() + got,
                                                 block_.size() - got));
    if (n == 0) break;
    got += n;
  }
  if (got != block_.size()) {
    return Status::IoError("the scratch file of the manifest's files is shorter than the list: " +
                           store_->path_ + ", unnamed");
  }
  pos_ = 0;
  return Status::Ok();
}

// The scratch file is this machine's, not the archive's: damage to it is
// an I/O error (the CLI's exit 4, "could not do the check"), not a
// refusal of the archive.
Status ManifestFileStore::Cursor::Damaged(const std::string& what) const {
  return Status::IoError("the scratch file of the manifest's files was altered (" + what +
                         " at file " + std::to_string(read_) + "): " + store_->path_ + ", unnamed");
}

Result<const ManifestFileStore::File*> ManifestFileStore::Cursor::Next() {
  Result<const File*> next = ReadNext();
  if (!next.ok()) (void)store_->Failed(next.status());
  return next;
}

Result<const ManifestFileStore::File*> ManifestFileStore::Cursor::ReadNext() {
  if (read_ == store_->count_) return nullptr;
  Record r;
  if (!store_->spilled()) {
    r = store_->held_[read_];
  } else {
    if (pos_ == block_records_) ARKWIKI_RETURN_IF_ERROR(Fill());
    std::memcpy(&r, block_.data() + pos_ * sizeof(Record), sizeof(Record));
    ++pos_;
  }
  ++read_;
  current_ = File{};
  if (r.size == kOther) {
    uint32_t index = 0;
    std::memcpy(&index, r.sha256.data(), sizeof index);
    if (index >= store_->others_.size()) return Damaged("an index out of range");
    current_.other = &store_->others_[index];
    std::memcpy(&current_.size, r.sha256.data() + kOtherSizeAt, sizeof current_.size);
  } else {
    if (store_->ascending_ && any_upload_ && !(upload_ < r.sha256)) {
      return Damaged("uploads out of hash order");
    }
    current_.size = r.size;
    upload_ = r.sha256;
    any_upload_ = true;
    current_.upload_hash = &upload_;
  }
  return &current_;
}

}  // namespace arkwiki
