// A sorted set of object hashes with sizes (private to the backup layer).
// 40 bytes per distinct object, however often it is added; adding refs
// that are all held already costs no memory.
//
// The set is one block from malloc, grown with realloc, not a std::vector:
// a vector grows by allocating anew and copying, so each restore point
// that adds even one object would hold the set twice for a moment (88 MB
// at 1,000,000 objects). A block that large is mmap'ed by glibc, and
// realloc moves its pages (mremap) without a copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include "arkwiki/core/hash.h"

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

  // Adds `refs` (in any order, duplicates allowed). An object already held
  // keeps the size it was added with.
  void AddAll(std::vector<ObjectRef> refs);
  bool Contains(const Sha256Raw& sha256) const;
  // Sorted and distinct; valid until the set is next added to.
  std::span<const ObjectRef> objects() const { return {refs_, size_}; }

 private:
  // Grows (or shrinks) the block to exactly `size` refs, the new ones
  // zero; std::bad_alloc when it cannot.
  void Resize(size_t size);

  ObjectRef* refs_ = nullptr;  // malloc'ed; sorted, distinct
  size_t size_ = 0;
};

}  // namespace arkwiki
