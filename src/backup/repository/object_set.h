// A sorted set of upload hashes with sizes, gathered from many manifests
// (private to the backup layer). 40 bytes per distinct object, whatever
// the number of restore points that name it; adding refs that are all held
// already costs no memory.
//
// The set is one block from malloc, grown with realloc, not a std::vector:
// a vector grows by allocating anew and copying, so each restore point
// that adds even one object would hold the set twice for a moment (88 MB
// at 1,000,000 objects). A block that large is mmap'ed by glibc, and
// realloc moves its pages (mremap) without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"
#include "format/manifest_file_store.h"

namespace arkwiki {

struct ObjectRef {
  Sha256Raw sha256{};
  uint64_t size = 0;
  bool operator<(const ObjectRef& o) const { return sha256 < o.sha256; }
  bool operator==(const ObjectRef& o) const { return sha256 == o.sha256; }
};

static_assert(std::is_trivially_copyable_v<ObjectRef>);

class ObjectSet {
 public:
  ObjectSet() = default;
  ~ObjectSet();
  ObjectSet(ObjectSet&& other) noexcept;
  ObjectSet& operator=(ObjectSet&& other) noexcept;
  ObjectSet(const ObjectSet&) = delete;
  ObjectSet& operator=(const ObjectSet&) = delete;

  // Adds every upload `files` lists. An object already held keeps the size
  // it was added with. Uploads in hash order (every manifest arkwiki
  // writes) are read twice, to count what is new and to merge it in, and
  // never copied; in another order they are gathered and sorted first. The
  // store's error when its scratch file cannot be read (IoError also when
  // the two reads differ); the set is then unusable.
  Status AddUploads(const ManifestFileStore& files);
  // Adds `refs` (in any order, duplicates allowed), as AddUploads does.
  void AddAll(std::vector<ObjectRef> refs);
  // Replaces each object's hash by `rename(hash)` (false: the object is
  // dropped), in place, and sorts the set again; sizes stay with their
  // objects.
  void RenameAll(const std::function<bool(const Sha256Raw&, Sha256Raw*)>& rename);
  bool Contains(const Sha256Raw& sha256) const;
  // Sorted and distinct; valid until the set is next added to.
  std::span<const ObjectRef> objects() const { return {refs_, size_}; }

 private:
  // Merges in, in place, the refs that `open()`'s readers yield in strictly
  // increasing hash order: a reader's Next(ObjectRef*) gives Result<bool>,
  // false after the last. Read once to count the new refs, once to merge.
  template <typename Open>
  Status MergeAscending(const Open& open);

  // Grows (or shrinks) the block to exactly `size` refs, the new ones
  // zero; std::bad_alloc when it cannot.
  void Resize(size_t size);

  ObjectRef* refs_ = nullptr;  // malloc'ed; sorted, distinct
  size_t size_ = 0;
};

}  // namespace arkwiki
