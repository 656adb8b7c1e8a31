// The files of an encrypted repository, read and written as plaintext
// (private to the backup layer; format: docs/backup-repository.md#encrypted-repository).
//
// Every stored file of an encrypted repository is one stream of the
// off-site codec (arkwiki/backup/offsite_crypto.h) under the repository's
// key, bound to what the file is:
//   object/<name>        an object, loose or a pack entry; <name> is
//                        OffsiteKey::ObjectName of its content's SHA-256
//   point/<id>/<path>    a restore point's file (manifest.json,
//                        database/arkwiki.db, ...), in tmp/<id>/ or
//                        snapshots/<id>/ alike
//   damaged-objects      the list the last check wrote
// A file's temporary name (".tmp..." after its name, as the atomic writers
// make it) is bound as the name it is renamed to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "repository/pack_store.h"
#include "repository/packed_env.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// The plaintext size of a sealed stream of `sealed_bytes`; Corruption
// ("wrong size") for a length no stream has.
Result<uint64_t> PlainSizeOf(uint64_t sealed_bytes);

// The binding of the object whose content has SHA-256 `sha256_hex` (64
// lowercase hex digits), and its name.
std::string SealedObjectName(const OffsiteKey& key, const std::string& sha256_hex);
// The name the object whose content has SHA-256 `sha256` is stored under,
// raw: with `key` (an encrypted repository) its keyed name, else the hash.
Sha256Raw StoredObjectName(const Sha256Raw& sha256, const OffsiteKey* key);
std::string ObjectBinding(const std::string& name);

// A sealed stream as a plaintext file. Reads in increasing order cost one
// decryption of each chunk; a read before the current chunk starts again
// from the stream's start. Corruption, naming `what`, when the stream fails
// to authenticate (read as far as the damage).
Result<std::unique_ptr<RandomAccessFile>> OpenSealedFile(std::unique_ptr<RandomAccessFile> sealed,
                                                         const OffsiteKey& key,
                                                         const std::string& binding,
                                                         const std::string& what);

// An Env in which the repository's sealed files read and write as
// plaintext, at the paths a plain repository has:
//  - objects/<aa>/<sha256> reads (NewSequentialFile, NewRandomAccessFile,
//    FileExists, GetFileSize) as the object's plaintext, found under its
//    name in `target` (a PackedObjectsEnv reads packed ones too);
//  - the files of tmp/<id>/ and snapshots/<id>/, and damaged-objects, are
//    sealed as they are written and opened as they are read.
// Every other path and call goes to `target` unchanged. `key` must outlive
// the Env.
class SealedRepoEnv : public EnvWrapper {
 public:
  SealedRepoEnv(Env* target, RepoLayout repo, const OffsiteKey& key);
  // The same, owning `target`.
  SealedRepoEnv(std::unique_ptr<Env> target, RepoLayout repo, const OffsiteKey& key);
  ~SealedRepoEnv() override;

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        CreateMode mode) override;
  Result<bool> FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;

 private:
  // Where a sealed file is stored and what it is bound to; `stored` empty
  // for a path that is not sealed.
  struct Sealed {
    std::string stored;
    std::string binding;
  };
  Sealed Classify(const std::string& path) const;

  std::unique_ptr<Env> owned_;
  RepoLayout repo_;
  const OffsiteKey& key_;
};

// The repository's objects as plaintext files at objects/<aa>/<sha256>,
// loose or packed (PackedObjectsEnv); with `key` (an encrypted repository)
// wrapped in a SealedRepoEnv, which also opens the restore points' files.
// A restore point's database stored as chunks reads as one whole file
// (ChunkedDatabaseEnv): this is the one place that reassembles it. With
// `index`, *index is set to the pack index read through, valid while the
// Env lives; with `packed`, *packed to the PackedObjectsEnv inside, whose
// index a caller may release (PackedObjectsEnv::ReleaseIndex).
Result<std::unique_ptr<Env>> OpenStoredObjects(Env* target, const RepoLayout& repo,
                                               const OffsiteKey* key,
                                               const PackIndex** index = nullptr,
                                               PackedObjectsEnv** packed = nullptr);

// A sequential reader over a random access file, from its start.
std::unique_ptr<SequentialFile> ReadInOrder(std::unique_ptr<RandomAccessFile> file);

}  // namespace arkwiki
