#include "repository/object_set.h"

#include <algorithm>
#include <iterator>

namespace arkwiki {

void ObjectSet::AddUploads(const Manifest& manifest) {
  // Merged one manifest at a time, so memory follows the distinct objects
  // rather than the sum of every manifest's list.
  std::vector<ObjectRef> batch;
  batch.reserve(manifest.files.size());
  for (size_t i = 0; i < manifest.files.size(); ++i) {
    if (const Sha256Raw* h = manifest.files.UploadHashAt(i)) {
      batch.push_back({*h, manifest.files.SizeAt(i)});
    }
  }
  AddAll(std::move(batch));
}

void ObjectSet::AddAll(std::vector<ObjectRef> batch) {
  std::sort(batch.begin(), batch.end());
  std::vector<ObjectRef> merged;
  merged.reserve(objects_.size() + batch.size());
  std::set_union(objects_.begin(), objects_.end(), batch.begin(), batch.end(),
                 std::back_inserter(merged));
  merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
  objects_ = std::move(merged);
}

bool ObjectSet::Contains(const Sha256Raw& sha256) const {
  return std::binary_search(objects_.begin(), objects_.end(), ObjectRef{sha256, 0});
}

}  // namespace arkwiki
