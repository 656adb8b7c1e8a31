// A sorted set of upload hashes with sizes, gathered from many manifests
// (private to the backup layer). 40 bytes per distinct object, whatever
// the number of restore points that name it; adding refs that are all held
// already costs no memory.
#pragma once

#include <cstdint>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

struct ObjectRef {
  Sha256Raw sha256{};
  uint64_t size = 0;
  bool operator<(const ObjectRef& o) const { return sha256 < o.sha256; }
  bool operator==(const ObjectRef& o) const { return sha256 == o.sha256; }
};

class ObjectSet {
 public:
  // Adds every upload `manifest` lists. An object already held keeps the
  // size it was added with.
  void AddUploads(const Manifest& manifest);
  // Adds `refs` (in any order, duplicates allowed), as AddUploads does.
  void AddAll(std::vector<ObjectRef> refs);
  bool Contains(const Sha256Raw& sha256) const;
  const std::vector<ObjectRef>& objects() const { return objects_; }

 private:
  // Adds at(0) .. at(count - 1) (std::nullopt: skip that index) when they
  // are in strictly increasing hash order; else returns false and changes
  // nothing.
  template <typename At>
  bool MergeSorted(size_t count, const At& at);

  std::vector<ObjectRef> objects_;  // sorted, distinct
};

}  // namespace arkwiki
