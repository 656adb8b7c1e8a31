// ManifestFileStore: a manifest's files as a verification reads them, in
// manifest order, as many times as it needs (private to the backup layer).
//
// Why: held whole, the list costs 40 bytes a file (ManifestFiles), 40 MB
// of a verification's or a restore's peak at 1,000,000 uploads, where the
// target is 64 MiB whatever the size (benchmarks/README.md, "Scale"). Every
// check of the list is a pass in manifest order (paths, byte count, the
// entries in step with the central directory, the database's uploads, the
// files' contents), so the list need not be held: past `held_max` files it
// is written to a scratch file through the Env, and each pass reads it back
// in 64 KiB blocks.
//
// The scratch file is created private (0600), opened for reading too, and
// loses its name at once: a crash leaves nothing behind, and every pass
// reads through the descriptor opened then, so no other process can swap
// the list. Records read back are still checked (an index in range,
// uploads in the order noted when they were added), so that a damaged file
// is an I/O error instead of a read out of bounds.
//
// A file that is not an upload named by its hash is kept whole (the
// ManifestFile), but only the first kOthersKept of them: a backup holds two
// (the database and the settings), so the third such file is one the check
// of the paths refuses, and it stops at or before it. Each later one is
// counted with its own size and hands out the last one kept as its file,
// so that a hostile manifest of millions of them takes no memory;
// ToManifestFiles then only counts the list.
//
// Cursors are independent: two threads may each walk the list with its
// own, once Finish has returned and while nothing is added.
//
// Uploads stand in ascending hash order in every archive arkwiki writes; the
// store notes whether they do, so that duplicates and the database's
// uploads are checked in step. A list in another order is still read
// (older or hand-made archives), at the cost of holding its uploads sorted.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/backup/manifest_files.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

class ManifestFileStore {
 public:
  // One file of the list as a pass reads it.
  struct File {
    const Sha256Raw* upload_hash = nullptr;  // an upload named by its hash; else null
    uint64_t size = 0;
    const ManifestFile* other = nullptr;  // the file when it is not such an upload
    // The file as the manifest has it (strings built for an upload).
    ManifestFile Get() const;
  };

  // Reads the list from its start; valid while the store lives and is not
  // added to.
  class Cursor {
   public:
    // The next file (valid until the next call), or null after the last.
    // The Env's error when the scratch file cannot be read; IoError when
    // a record read back is not one that was added.
    Result<const File*> Next();

   private:
    friend class ManifestFileStore;
    explicit Cursor(const ManifestFileStore* store) : store_(store) {}
    Result<const File*> ReadNext();
    Status Fill();
    Status Damaged(const std::string& what) const;

    const ManifestFileStore* store_;
    std::vector<char> block_;  // when spilled
    size_t block_records_ = 0;
    size_t pos_ = 0;   // in the block (or in held_ when not spilled)
    size_t read_ = 0;  // records handed out
    File current_;
    Sha256Raw upload_{};       // current_'s hash, copied out of the block
    bool any_upload_ = false;  // upload_ holds the previous upload's hash
  };

  // Holds every file in memory.
  ManifestFileStore() = default;
  // Past `held_max` files (VerifyOptions::manifest_files_held), spills
  // them to `scratch_path` (created exclusively and private, and unnamed
  // at once), through `env`.
  ManifestFileStore(Env* env, std::string scratch_path, size_t held_max);
  // As above, spilling to a file of its own name in `dir`.
  static ManifestFileStore InDir(Env* env, const std::string& dir, size_t held_max);
  // An in-memory copy of `files`, every file kept whole (for a list that
  // arkwiki made, not one read from an archive).
  static ManifestFileStore Of(const ManifestFiles& files);
  ~ManifestFileStore();
  ManifestFileStore(ManifestFileStore&& other) noexcept;
  ManifestFileStore& operator=(ManifestFileStore&&) = delete;
  ManifestFileStore(const ManifestFileStore&) = delete;
  ManifestFileStore& operator=(const ManifestFileStore&) = delete;

  // Appends a file. The Env's error (NoSpace, IoError) when the scratch
  // file cannot be written, naming it; the store is then unusable.
  Status Add(const ManifestFile& file);
  // Writes out what is buffered and checks that the file holds every
  // record; call after the last Add, before the first Walk. A no-op when
  // nothing was spilled.
  Status Finish();

  size_t size() const { return count_; }
  bool spilled() const { return out_ != nullptr || in_ != nullptr; }
  // Whether the uploads stand in strictly ascending hash order (so no two
  // share a hash).
  bool uploads_ascending() const { return ascending_; }
  size_t uploads() const { return uploads_; }
  // Whether files past the kOthersKept-th that is not an upload named by
  // its hash were added: the list then hands out the last one kept for
  // them, and only a check of the paths, which refuses such a list, may
  // walk it.
  bool others_dropped() const { return others_dropped_; }
  // Whether the scratch file failed to be created, written or read back:
  // the failure is this machine's, not the manifest's.
  bool failed() const { return failed_.load(); }
  Cursor Walk() const { return Cursor(this); }
  // The first `count` files (fewer when the list is shorter).
  Result<std::vector<ManifestFile>> First(size_t count) const;
  // The list as a ManifestFiles: the records when held, else only the
  // count (ManifestFiles::NotHeld).
  Result<ManifestFiles> ToManifestFiles() const;

 private:
  struct Record {
    Sha256Raw sha256{};
    // kOther: a file in others_, its index in sha256's first 4 bytes and
    // its size in bytes kOtherSizeAt to kOtherSizeAt + 8.
    uint64_t size = 0;
  };
  static constexpr uint64_t kOther = UINT64_MAX;
  static constexpr size_t kOtherSizeAt = 8;
  static constexpr size_t kOthersKept = 3;
  static constexpr size_t kBlockRecords = 1638;  // 64 KiB

  Status CreateUnnamed();
  Status Spill();
  Status FinishScratch();
  // Notes a failure of the scratch file (failed()); returns `s`.
  Status Failed(Status s) const;
  void Remove();

  Env* env_ = nullptr;  // null: never spills
  std::string path_;
  size_t held_max_ = SIZE_MAX;
  std::vector<Record> held_;  // all records, or the block not yet written
  size_t others_kept_ = kOthersKept;
  std::vector<ManifestFile> others_;  // at most others_kept_
  bool others_dropped_ = false;       // more were added
  std::unique_ptr<WritableFile> out_;
  std::unique_ptr<RandomAccessFile> in_;  // the scratch file, for the passes
  bool created_ = false;                  // its name is this store's to remove
  bool finished_ = false;                 // Finish wrote out every record
  // See failed(); atomic: cursors on two threads may fail at once.
  mutable std::atomic<bool> failed_ = false;
  size_t count_ = 0;
  size_t uploads_ = 0;
  bool ascending_ = true;
  Sha256Raw last_upload_{};
};

}  // namespace arkwiki
