#include "repository/object_set.h"

#include <algorithm>
#include <optional>

namespace arkwiki {

void ObjectSet::AddUploads(const Manifest& manifest) {
  const ManifestFiles& files = manifest.files;
  const auto upload_at = [&files](size_t i) -> std::optional<ObjectRef> {
    const Sha256Raw* h = files.UploadHashAt(i);
    if (h == nullptr) return std::nullopt;
    return ObjectRef{*h, files.SizeAt(i)};
  };
  // Every manifest arkwiki writes lists its uploads in hash order: they are
  // merged straight from the list, and no copy of it is made.
  if (MergeSorted(files.size(), upload_at)) return;
  std::vector<ObjectRef> batch;  // a list made by hand, in another order
  batch.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (const std::optional<ObjectRef> ref = upload_at(i)) batch.push_back(*ref);
  }
  AddAll(std::move(batch));
}

void ObjectSet::AddAll(std::vector<ObjectRef> batch) {
  std::sort(batch.begin(), batch.end());
  batch.erase(std::unique(batch.begin(), batch.end()), batch.end());
  if (objects_.empty()) {
    objects_ = std::move(batch);
    return;
  }
  // Sorted and distinct, so always merged.
  MergeSorted(batch.size(), [&batch](size_t i) -> std::optional<ObjectRef> { return batch[i]; });
}

template <typename At>
bool ObjectSet::MergeSorted(size_t count, const At& at) {
  // In place: the refs not held yet are counted (and their order checked),
  // the set grows by exactly that, and they are merged in from the back.
  // Most restore points name the objects earlier ones named, so the set
  // then neither grows nor is copied.
  size_t fresh = 0;
  auto held = objects_.cbegin();
  std::optional<ObjectRef> last;
  for (size_t i = 0; i < count; ++i) {
    const std::optional<ObjectRef> ref = at(i);
    if (!ref) continue;
    if (last && !(*last < *ref)) return false;
    last = ref;
    held = std::lower_bound(held, objects_.cend(), *ref);
    if (held == objects_.cend() || !(*held == *ref)) ++fresh;
  }
  if (fresh == 0) return true;
  const size_t old_size = objects_.size();
  objects_.reserve(old_size + fresh);  // exactly: resize alone would double
  objects_.resize(old_size + fresh);
  auto from_set = objects_.begin() + static_cast<std::ptrdiff_t>(old_size);
  auto out = objects_.end();
  for (size_t i = count; i-- > 0;) {
    const std::optional<ObjectRef> ref = at(i);
    if (!ref) continue;
    while (from_set != objects_.begin() && *ref < *std::prev(from_set)) *--out = *--from_set;
    if (from_set != objects_.begin() && *std::prev(from_set) == *ref) continue;  // held
    *--out = *ref;
  }
  return true;
}

bool ObjectSet::Contains(const Sha256Raw& sha256) const {
  return std::binary_search(objects_.begin(), objects_.end(), ObjectRef{sha256, 0});
}

}  // namespace arkwiki
