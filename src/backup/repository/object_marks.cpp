#include "repository/object_marks.h"

#include <utility>

#include "repository/sealed_env.h"

namespace arkwiki {

ObjectMarks::ObjectMarks(const PackIndex& packs, const OffsiteKey* key)
    : packs_(packs), key_(key), packed_(packs.size()) {}

ObjectMarks::Marked ObjectMarks::Mark(const ObjectRef& ref) {
  const std::optional<size_t> at = packs_.FindPosition(StoredObjectName(ref.sha256, key_));
  if (!at) {
    stored_names_ready_ = false;  // ContainsStored's copy lacks it
    unpacked_batch_.push_back(ref);
    if (unpacked_batch_.size() == kBatch) FlushUnpacked();
    return Marked::kUnpacked;
  }
  if (packed_[*at]) return Marked::kPackedAgain;
  packed_[*at] = true;
  return Marked::kFirstPacked;
}

Status ObjectMarks::MarkUploads(const ManifestFileStore& files,
                                const std::function<Status(const ObjectRef&, Marked)>& on_marked) {
  ManifestFileStore::Cursor cursor = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) return Status::Ok();
    if (f->upload_hash == nullptr) continue;
    const ObjectRef ref{*f->upload_hash, f->size};
    ARKWIKI_RETURN_IF_ERROR(on_marked(ref, Mark(ref)));
  }
}

Status ObjectMarks::MarkChunks(const std::vector<ChunkRef>& chunks,
                               const std::function<Status(const ObjectRef&, Marked)>& on_marked) {
  for (const ChunkRef& c : chunks) ARKWIKI_RETURN_IF_ERROR(on_marked(c.stored, Mark(c.stored)));
  return Status::Ok();
}

void ObjectMarks::FlushUnpacked() {
  if (unpacked_batch_.empty()) return;
  unpacked_.AddAll(std::move(unpacked_batch_));
  unpacked_batch_.clear();
}

const ObjectSet& ObjectMarks::unpacked() {
  FlushUnpacked();
  return unpacked_;
}

bool ObjectMarks::ContainsStored(const Sha256Raw& stored_name) {
  FlushUnpacked();
  if (key_ != nullptr && !stored_names_ready_) {
    std::vector<ObjectRef> stored;
    stored.reserve(unpacked_.objects().size());
    for (const ObjectRef& o : unpacked_.objects()) {
      stored.push_back({StoredObjectName(o.sha256, key_), o.size});
    }
    unpacked_stored_ = ObjectSet();
    unpacked_stored_.AddAll(std::move(stored));
    stored_names_ready_ = true;
  }
  if ((key_ == nullptr ? unpacked_ : unpacked_stored_).Contains(stored_name)) return true;
  const std::optional<size_t> at = packs_.FindPosition(stored_name);
  return at && packed_[*at];
}

}  // namespace arkwiki
