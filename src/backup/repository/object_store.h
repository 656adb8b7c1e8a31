// The objects of a repository: upload bytes stored once under their
// SHA-256 (private to the backup layer).
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "repository/block_writer.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// Stores upload bytes as objects, for one snapshot. Each object is written
// to a temporary file in tmp/ and renamed over objects/<aa>/<sha256> (so a
// damaged object is replaced whole). Nothing is synced: the caller makes the
// repository durable (one syncfs) before a manifest names the object.
//
// The bytes are hashed as they are stored, so no read-back follows:
//  - a copy hashes the very buffer it hands to write(), which stores all of
//    it or fails. A read-back before the sync would only re-read the page
//    cache the copy just filled, not the disk, so it proved nothing more;
//    what reaches the disk is re-hashed by `backup check --read-all`.
//    Objects of 1 MiB and more are written with O_DIRECT from that buffer,
//    on a thread of its own while the next block is read and hashed into a
//    second buffer; a buffer is reused only once its write has returned.
//  - a reflink (Env::CloneFile, where the file system has them) shares the
//    live file's blocks without copying; the clone itself is then read and
//    hashed, which checks exactly the bytes the object holds.
// Never a hard link: a link shares the live file's inode, so damage to the
// live upload would be damage to the backup as well (a reflink's blocks are
// copied on the first write to either file).
//
// In an encrypted repository (`key` given) each object is sealed as it is
// copied and stored under its keyed name (repository/sealed_env.h); the
// plaintext is hashed on its way to the sealing, and no reflink is made.
class ObjectCopier {
 public:
  ObjectCopier(Env* env, const RepoLayout& repo, const OffsiteKey* key = nullptr);
  ~ObjectCopier();
  ObjectCopier(const ObjectCopier&) = delete;
  ObjectCopier& operator=(const ObjectCopier&) = delete;

  // Stores the file `from` as the object `sha256`. Corruption when its bytes
  // do not match `sha256` and `size` (nothing is stored then); NotFound when
  // `from` is missing.
  Status Copy(const std::string& from, const std::string& sha256, uint64_t size);
  // Stores `bytes`, whose SHA-256 the caller computed as `sha256`, as that
  // object.
  Status StoreBytes(const std::string& sha256, std::string_view bytes);
  // Objects stored as reflinks so far.
  uint64_t cloned() const { return cloned_; }

 private:
  Result<FileDigest> CloneHashing(const std::string& from, const std::string& to, bool* cloned);
  Result<FileDigest> CopyHashing(const std::string& from, const std::string& to, uint64_t size);
  Result<FileDigest> SealHashing(const std::string& from, const std::string& to,
                                 const std::string& name);
  Result<FileDigest> HashFile(const std::string& path);
  Status Place(const std::string& tmp, const std::string& name);

  Env* env_;
  const RepoLayout& repo_;
  const OffsiteKey* key_;
  char* buffer_;                         // two blocks of kCopyBlock bytes, aligned for O_DIRECT
  std::unique_ptr<BlockWriter> writer_;  // made on the first plain copy
  bool try_clone_ = true;
  uint64_t cloned_ = 0;
  uint64_t next_tmp_ = 0;
  std::set<std::string> made_dirs_;  // objects/<aa> directories known to exist
};

// Re-reads the object and hashes it. NotFound ("missing"), Corruption whose
// message is "wrong size" or "damaged". Adds what it read to *bytes_hashed.
Status VerifyObject(Env* env, const RepoLayout& repo, const std::string& sha256, uint64_t size,
                    uint64_t* bytes_hashed);

// The hashes of the loose objects (objects/<aa>/<sha256>, of any file
// type), sorted: one listing per fan-out directory, so that a snapshot
// needs no stat for an upload stored in a pack. Only with the repository
// lock held (nothing else adds or removes objects then).
Result<std::vector<Sha256Raw>> ListLooseObjects(Env* env, const RepoLayout& repo);

// Removes what an interrupted run left in tmp/ and trash/. Only with the
// repository lock held.
Status CleanWorkAreas(Env* env, const RepoLayout& repo);

// Deletes restore points in order, stopping at the first failure: each
// directory is renamed into trash/ first, so that it vanishes in one step
// whatever happens to the removal that follows. NotFound for an unknown id.
// Only with the repository lock held.
Status DeletePointsLocked(Env* env, const RepoLayout& repo, const std::vector<std::string>& ids);

// The damaged-objects list written by the last check (empty when absent).
Result<std::set<std::string>> ReadDamagedList(Env* env, const RepoLayout& repo);
// Replaces the list; removes the file when `damaged` is empty.
Status WriteDamagedList(Env* env, const RepoLayout& repo, const std::set<std::string>& damaged);

}  // namespace arkwiki
