// A sorted set of upload hashes with sizes, gathered from many manifests
// (private to the backup layer). 40 bytes per distinct object, whatever
// the number of restore points that name it.
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
  // Adds every upload `manifest` lists.
  void AddUploads(const Manifest& manifest);
  // Adds `refs` (in any order, duplicates allowed).
  void AddAll(std::vector<ObjectRef> refs);
  bool Contains(const Sha256Raw& sha256) const;
  const std::vector<ObjectRef>& objects() const { return objects_; }

 private:
  std::vector<ObjectRef> objects_;  // sorted, distinct
};

}  // namespace arkwiki
