// Reading one file back from a target (private to the backup layer).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/manifest_files.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"

namespace arkwiki {

// Gets the object `name`, decrypts it into `out` (nullptr: only check it)
// and compares its SHA-256 and size with `file`. Corruption, naming the file
// and the object, for any difference; reading stops as soon as the object
// is longer than the encrypted size of `file` (the caller discards what
// reached `out`). NotFound when the object is missing. Adds the bytes
// decrypted to *plain_bytes when given.
Status FetchFile(OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, ByteSink* out, uint64_t* plain_bytes = nullptr);

// One sealed file in a pack, for FetchPacked.
struct PackSlice {
  std::string name;   // its object name
  ManifestFile file;  // what it must decrypt to
  uint64_t offset = 0;
  ByteSink* out = nullptr;  // nullptr: only check it
  Status result;            // set by FetchPacked
};

// Gets pack `pack` once and decrypts each slice out of it, checking each as
// FetchFile does; `slices` must be sorted by offset and must not overlap
// (Corruption otherwise, before anything is read). A slice that fails gets
// its own Corruption in `result` and the others go on. Bytes of the pack
// outside every slice are read and dropped. The pack is refused whole
// (every result set to the error, which is also returned) when it is
// missing, larger than kMaxPackBytes, or too short for its last slice.
// Adds the bytes decrypted to *plain_bytes when given.
Status FetchPacked(OffsiteTarget* target, const OffsiteKey& key, const std::string& pack,
                   std::vector<PackSlice>* slices, uint64_t* plain_bytes = nullptr);

// Packed files gathered to be read pack by pack, at most kBatchFiles at a
// time, so that memory stays flat in the file count: a restore point of
// 1,000,000 small files is read in batches, each pack once per batch that
// needs it. A copy packs files in manifest order, so a batch gathered in
// that order finds its packs whole in it, and reads most packs once.
class PackedBatch {
 public:
  static constexpr size_t kBatchFiles = size_t{1} << 14;
  // Reads one pack's slices, sorted by offset, not overlapping (FetchPacked).
  using ReadPack = std::function<Status(const std::string& pack, std::vector<PackSlice>* slices)>;
  explicit PackedBatch(ReadPack read_pack) : read_pack_(std::move(read_pack)) {}
  // Gathers a slice of `pack`; reads the batch when it is full.
  Status Add(const std::string& pack, PackSlice slice);
  // Reads what is gathered, pack by pack, an object gathered twice once;
  // stops at the first error.
  Status Flush();

 private:
  ReadPack read_pack_;
  std::map<std::string, std::vector<PackSlice>> by_pack_;
  size_t count_ = 0;
};

}  // namespace arkwiki
