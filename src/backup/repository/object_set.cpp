#include "repository/object_set.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>

namespace arkwiki {
namespace {

// The uploads of a manifest's files, in the store's order.
class UploadReader {
 public:
  // Read back from a scratch file: the two reads are compared.
  static constexpr bool kReadTwiceFromDisk = true;
  explicit UploadReader(const ManifestFileStore& files) : cursor_(files.Walk()) {}
  Result<bool> Next(ObjectRef* out) {
    for (;;) {
      ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor_.Next());
      if (f == nullptr) return false;
      if (f->upload_hash == nullptr) continue;
      *out = ObjectRef{*f->upload_hash, f->size};
      return true;
    }
  }

 private:
  ManifestFileStore::Cursor cursor_;
};

class BatchReader {
 public:
  static constexpr bool kReadTwiceFromDisk = false;
  explicit BatchReader(const std::vector<ObjectRef>& batch) : batch_(batch) {}
  Result<bool> Next(ObjectRef* out) {
    if (next_ == batch_.size()) return false;
    *out = batch_[next_++];
    return true;
  }

 private:
  const std::vector<ObjectRef>& batch_;
  size_t next_ = 0;
};

// A digest of every ref a reader yields, in order, so that a list read
// twice from disk can be compared with itself.
class RefsDigest {
 public:
  void Add(const ObjectRef& ref) {
    hash_.Update(ref.sha256.data(), ref.sha256.size());
    hash_.Update(&ref.size, sizeof ref.size);
  }
  std::string Finish() { return hash_.FinishHex(); }

 private:
  Sha256 hash_;
};

constexpr char kListChanged[] = "a manifest's list of files changed between two reads of it";

}  // namespace

Status ObjectSet::AddUploads(const ManifestFileStore& files) {
  if (files.uploads_ascending()) {
    return MergeAscending([&files] { return UploadReader(files); });
  }
  std::vector<ObjectRef> batch;  // a list made by hand, in another order
  batch.reserve(files.uploads());
  UploadReader reader(files);
  ObjectRef ref;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(bool more, reader.Next(&ref));
    if (!more) break;
    batch.push_back(ref);
  }
  AddAll(std::move(batch));
  return Status::Ok();
}

void ObjectSet::AddAll(std::vector<ObjectRef> batch) {
  std::sort(batch.begin(), batch.end());
  batch.erase(std::unique(batch.begin(), batch.end()), batch.end());
  // Sorted and distinct, and read from memory: cannot fail.
  (void)MergeAscending([&batch] { return BatchReader(batch); });
}

template <typename Open>
Status ObjectSet::MergeAscending(const Open& open) {
  // In place: the refs not held yet are counted, the set grows by exactly
  // that, its objects move to the back, and the merge writes from the
  // front. Most restore points name the objects earlier ones named, so the
  // set then neither grows nor is copied.
  using Reader = decltype(open());
  size_t fresh = 0;
  std::string first_read;
  {
    Reader reader = open();
    RefsDigest digest;
    const ObjectRef* held = refs_;
    const ObjectRef* const end = refs_ + size_;
    ObjectRef ref;
    for (;;) {
      ARKWIKI_ASSIGN_OR_RETURN(bool more, reader.Next(&ref));
      if (!more) break;
      if constexpr (Reader::kReadTwiceFromDisk) digest.Add(ref);
      held = std::lower_bound(held, end, ref);
      if (held == end || !(*held == ref)) ++fresh;
    }
    if constexpr (Reader::kReadTwiceFromDisk) first_read = digest.Finish();
  }
  if (fresh == 0) return Status::Ok();
  const size_t old_size = size_;
  Resize(old_size + fresh);
  std::move_backward(refs_, refs_ + old_size, refs_ + size_);
  // `out` never passes `held`: it has written the held objects consumed and
  // at most `fresh` new ones, and `held` starts `fresh` ahead.
  ObjectRef* const end = refs_ + size_;
  ObjectRef* held = refs_ + fresh;
  ObjectRef* out = refs_;
  size_t added = 0;
  Reader reader = open();
  RefsDigest digest;
  ObjectRef ref;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(bool more, reader.Next(&ref));
    if (!more) break;
    if constexpr (Reader::kReadTwiceFromDisk) digest.Add(ref);
    while (held != end && *held < ref) *out++ = *held++;
    if (held != end && *held == ref) continue;  // held: keeps its size
    if (added++ == fresh) return Status::IoError(kListChanged);
    *out++ = ref;
  }
  // The held objects left are in place once every new one is in.
  if (out != held) Resize(static_cast<size_t>(std::move(held, end, out) - refs_));
  if (added != fresh) return Status::IoError(kListChanged);
  if constexpr (Reader::kReadTwiceFromDisk) {
    if (digest.Finish() != first_read) return Status::IoError(kListChanged);
  }
  return Status::Ok();
}

void ObjectSet::Resize(size_t size) {
  if (size == 0) {
    std::free(refs_);
    refs_ = nullptr;
  } else {
    void* grown = std::realloc(refs_, size * sizeof(ObjectRef));
    if (grown == nullptr) throw std::bad_alloc();
    refs_ = static_cast<ObjectRef*>(grown);
    std::fill(refs_ + std::min(size_, size), refs_ + size, ObjectRef{});
  }
  size_ = size;
}

ObjectSet::~ObjectSet() { std::free(refs_); }

ObjectSet::ObjectSet(ObjectSet&& other) noexcept
    : refs_(std::exchange(other.refs_, nullptr)), size_(std::exchange(other.size_, 0)) {}

ObjectSet& ObjectSet::operator=(ObjectSet&& other) noexcept {
  if (this != &other) {
    std::free(refs_);
    refs_ = std::exchange(other.refs_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void ObjectSet::RenameAll(const std::function<bool(const Sha256Raw&, Sha256Raw*)>& rename) {
  ObjectRef* const end = refs_ + size_;
  ObjectRef* out = refs_;
  for (ObjectRef* ref = refs_; ref != end; ++ref) {
    Sha256Raw renamed;
    if (!rename(ref->sha256, &renamed)) continue;
    *out++ = ObjectRef{renamed, ref->size};
  }
  std::sort(refs_, out);
  Resize(static_cast<size_t>(std::unique(refs_, out) - refs_));
}

bool ObjectSet::Contains(const Sha256Raw& sha256) const {
  return std::binary_search(refs_, refs_ + size_, ObjectRef{sha256, 0});
}

}  // namespace arkwiki
