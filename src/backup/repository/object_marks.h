// ObjectMarks: the objects that restore points name, marked as they are
// named (private to the backup layer).
//
// Why: a set of the named objects costs 40 bytes an object (ObjectSet),
// 44 MB at 1,000,000, where a check or a prune of that many files has a
// target of 64 MiB in all (benchmarks/README.md, "Scale"). Nearly every
// object is packed, and the pack index is held anyway to read them; so a
// packed object is marked by one bit for its index entry, and only objects
// in no pack (large uploads, or missing ones) are gathered in a set.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/status.h"
#include "format/manifest_file_store.h"
#include "repository/db_chunks.h"
#include "repository/object_set.h"
#include "repository/pack_store.h"

namespace arkwiki {

class ObjectMarks {
 public:
  enum class Marked {
    kFirstPacked,  // packed, and named now for the first time
    kPackedAgain,  // packed, and marked before (it keeps its first size)
    kUnpacked,     // in no pack: gathered into unpacked()
  };

  // `packs` names objects by their stored names: with `key` (an encrypted
  // repository), OffsiteKey::ObjectName of their hashes. Both must outlive
  // the marks.
  ObjectMarks(const PackIndex& packs, const OffsiteKey* key);

  // Marks the object `ref` names (by the SHA-256 of its content).
  Marked Mark(const ObjectRef& ref);
  // Marks each upload of `files`, calling on_marked(ref, marked) for each;
  // stops at its first error. The store's error when its scratch file
  // cannot be read.
  Status MarkUploads(const ManifestFileStore& files,
                     const std::function<Status(const ObjectRef&, Marked)>& on_marked);
  // The same, for the objects that store `chunks`.
  Status MarkChunks(const std::vector<ChunkRef>& chunks,
                    const std::function<Status(const ObjectRef&, Marked)>& on_marked);

  // The unpacked objects marked so far, by the hashes of their contents.
  const ObjectSet& unpacked();
  // Whether the object stored as `stored_name` (its hash, or with a key its
  // keyed name) is marked. Valid once marking is over.
  bool ContainsStored(const Sha256Raw& stored_name);

 private:
  // Unpacked refs are merged into the set this many at a time.
  static constexpr size_t kBatch = 65536;
  void FlushUnpacked();

  const PackIndex& packs_;
  const OffsiteKey* key_;
  std::vector<bool> packed_;  // per entry of packs_
  std::vector<ObjectRef> unpacked_batch_;
  ObjectSet unpacked_;
  ObjectSet unpacked_stored_;  // ContainsStored's: by stored names
  bool stored_names_ready_ = false;
};

}  // namespace arkwiki
