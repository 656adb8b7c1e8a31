#include "repository/packed_env.h"

#include <algorithm>

namespace arkwiki {
namespace {

// [offset, offset + size) of a pack, as a file of its own.
class PackSlice final : public RandomAccessFile {
 public:
  PackSlice(std::unique_ptr<RandomAccessFile> pack, uint64_t offset, uint64_t size)
      : pack_(std::move(pack)), offset_(offset), size_(size) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= size_) return size_t{0};
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    return pack_->ReadAt(offset_ + offset, buf, n);
  }
  uint64_t Size() const override { return size_; }

 private:
  std::unique_ptr<RandomAccessFile> pack_;
  uint64_t offset_;
  uint64_t size_;
};

class SliceReader final : public SequentialFile {
 public:
  explicit SliceReader(std::unique_ptr<RandomAccessFile> slice) : slice_(std::move(slice)) {}
  Result<size_t> Read(char* buf, size_t n) override {
    ARKWIKI_ASSIGN_OR_RETURN(size_t got, slice_->ReadAt(position_, buf, n));
    position_ += got;
    return got;
  }

 private:
  std::unique_ptr<RandomAccessFile> slice_;
  uint64_t position_ = 0;
};

}  // namespace

PackedObjectsEnv::PackedObjectsEnv(Env* target, const RepoLayout& repo, PackIndex index)
    : EnvWrapper(target),
      repo_(repo),
      objects_prefix_(repo.objects + "/"),
      packs_dir_(PacksDir(repo)),
      index_(std::move(index)) {}

void PackedObjectsEnv::ReleaseIndex() {
  std::lock_guard<std::mutex> lock(mu_);
  index_.reset();
}

Result<std::optional<PackedObjectsEnv::Packed>> PackedObjectsEnv::PackedAt(
    const std::string& path) {
  // "<objects>/aa/<64 hex>"
  if (path.size() != objects_prefix_.size() + 67 ||
      path.compare(0, objects_prefix_.size(), objects_prefix_) != 0) {
    return std::optional<Packed>();
  }
  const std::string_view rest = std::string_view(path).substr(objects_prefix_.size());
  Sha256Raw raw;
  if (rest[2] != '/' || rest.substr(0, 2) != rest.substr(3, 2) ||
      !ParseSha256Hex(rest.substr(3), &raw)) {
    return std::optional<Packed>();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (!index_) {
    ARKWIKI_ASSIGN_OR_RETURN(index_, PackIndex::Load(target(), repo_));
  }
  const std::optional<PackEntry> entry = index_->Find(raw);
  if (!entry) return std::optional<Packed>();
  return std::optional<Packed>(Packed{*entry, JoinPath(packs_dir_, index_->packs()[entry->pack])});
}

Result<std::unique_ptr<RandomAccessFile>> PackedObjectsEnv::OpenPacked(const Packed& packed) {
  const PackEntry& entry = packed.entry;
  ARKWIKI_ASSIGN_OR_RETURN(auto pack, target()->NewRandomAccessFile(packed.pack_path));
  if (pack->Size() < uint64_t{entry.offset} + entry.size) return Status::Corruption("wrong size");
  return std::unique_ptr<RandomAccessFile>(
      new PackSlice(std::move(pack), entry.offset, entry.size));
}

Result<std::unique_ptr<SequentialFile>> PackedObjectsEnv::NewSequentialFile(
    const std::string& path) {
  auto loose = target()->NewSequentialFile(path);
  if (loose.status().code() != StatusCode::kNotFound) return loose;
  ARKWIKI_ASSIGN_OR_RETURN(const std::optional<Packed> packed, PackedAt(path));
  if (!packed) return loose;
  ARKWIKI_ASSIGN_OR_RETURN(auto slice, OpenPacked(*packed));
  return std::unique_ptr<SequentialFile>(new SliceReader(std::move(slice)));
}

Result<std::unique_ptr<RandomAccessFile>> PackedObjectsEnv::NewRandomAccessFile(
    const std::string& path) {
  auto loose = target()->NewRandomAccessFile(path);
  if (loose.status().code() != StatusCode::kNotFound) return loose;
  ARKWIKI_ASSIGN_OR_RETURN(const std::optional<Packed> packed, PackedAt(path));
  return packed ? OpenPacked(*packed) : std::move(loose);
}

Result<bool> PackedObjectsEnv::FileExists(const std::string& path) {
  ARKWIKI_ASSIGN_OR_RETURN(bool loose, target()->FileExists(path));
  if (loose) return true;
  ARKWIKI_ASSIGN_OR_RETURN(const std::optional<Packed> packed, PackedAt(path));
  return packed.has_value();
}

Result<uint64_t> PackedObjectsEnv::GetFileSize(const std::string& path) {
  auto loose = target()->GetFileSize(path);
  if (loose.status().code() != StatusCode::kNotFound) return loose;
  ARKWIKI_ASSIGN_OR_RETURN(const std::optional<Packed> packed, PackedAt(path));
  return packed ? Result<uint64_t>(packed->entry.size) : loose;
}

Result<std::unique_ptr<PackedObjectsEnv>> OpenPackedObjects(Env* target, const RepoLayout& repo) {
  ARKWIKI_ASSIGN_OR_RETURN(PackIndex index, PackIndex::Load(target, repo));
  return std::make_unique<PackedObjectsEnv>(target, repo, std::move(index));
}

}  // namespace arkwiki
