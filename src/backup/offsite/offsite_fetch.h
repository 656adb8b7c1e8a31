// Reading one file back from a target (private to the backup layer).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/manifest_files.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"
#include "format/manifest_file_store.h"
#include "offsite/offsite_record.h"

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
  // Called once the slice's last byte reached `out` (a staged file is
  // closed then, so that a pack of many small files holds one descriptor
  // at a time); its failure becomes `result`.
  std::function<Status()> done;
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

// Moves out of `slices` (sorted by offset) each slice of the object the
// slice before it is of (one object, two paths: the same bytes as the
// database and as the settings), so that the rest can be read at once.
std::vector<PackSlice> TakeRepeats(std::vector<PackSlice>* slices);

// Packed files gathered to be read pack by pack, each pack's slices in
// offset order (a slice gathered twice stays twice: FetchPacked refuses
// overlapping slices, so the reader sorts that out).
class PackedBatch {
 public:
  // Reads one pack's slices, sorted by offset, not overlapping (FetchPacked).
  using ReadPack = std::function<Status(const std::string& pack, std::vector<PackSlice>* slices)>;
  explicit PackedBatch(ReadPack read_pack) : read_pack_(std::move(read_pack)) {}
  void Add(const std::string& pack, PackSlice slice) { by_pack_[pack].push_back(std::move(slice)); }
  // Reads what is gathered, pack by pack; stops at the first error.
  Status Flush();

 private:
  ReadPack read_pack_;
  std::map<std::string, std::vector<PackSlice>> by_pack_;
};

// The slice of `file` in the pack `packed` places it in: its object name,
// the file, its offset. Corruption when the index does not list it.
Result<PackSlice> SliceOf(const OffsiteKey& key, const OffsitePackIndex& packed,
                          const ManifestFileStore::File& file);

// Reads the packed files of one restore point's file list pack by pack,
// each pack once, holding the slices (about 300 bytes each) of one group
// of packs at a time: of at most the batch size (ForFiles) unless one pack
// alone holds more (8 MiB of empty files would be 170,000).
//
// Why two steps: a pack is read whole (a target has no ranged Get), so it
// must be read once for all its files, while the files of a later copy's
// packs are spread over the whole list (which is in hash order). The
// caller's pass over the list notes which files to read from which pack
// (4 bytes a file); Read then makes one pass over the list per group of
// packs that together hold at most kBatchFiles noted files (a pack holding
// more is a group of its own), gathers that group's slices and reads them.
class PackedReadPlan {
 public:
  static constexpr size_t kBatchFiles = size_t{1} << 14;
  // For a list of `files` files: groups of kBatchFiles (about 8 MB of
  // slices), or of files / 128 where that is more, so that a list of
  // 5,000,000 files takes at most 128 passes (a pass over a spilled list
  // of 1,000,000 files reads 40 MB from the page cache), not 305. Groups
  // of files / 32 cost a restore of 1,000,000 files 7 MB more.
  static PackedReadPlan ForFiles(size_t files);
  explicit PackedReadPlan(size_t batch_files = kBatchFiles) : batch_files_(batch_files) {}
  // Notes that file `i` of the list (given in list order) is to be read
  // from `pack`.
  void Note(size_t i, std::string_view pack);
  size_t noted() const { return noted_; }
  // The slice of a noted file, made again (its object name, where it lies).
  using MakeSlice = std::function<Result<PackSlice>(const ManifestFileStore::File& file)>;
  // Reads every noted file (above); stops at the first error, of `files`,
  // `make_slice` or `read_pack`.
  Status Read(const ManifestFileStore& files, const MakeSlice& make_slice,
              const PackedBatch::ReadPack& read_pack) const;

 private:
  static constexpr uint32_t kNotNoted = UINT32_MAX;
  size_t batch_files_;
  std::vector<uint32_t> pack_of_;  // by file: an index into counts_, or kNotNoted
  std::map<std::string, uint32_t, std::less<>> numbers_;
  std::vector<size_t> counts_;  // noted files per pack
  size_t noted_ = 0;
};

}  // namespace arkwiki
