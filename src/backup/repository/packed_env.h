// PackedObjectsEnv: the repository's objects as files, wherever they are
// stored (private to the backup layer).
#pragma once

#include <cassert>
#include <mutex>
#include <optional>
#include <string>

#include "arkwiki/core/env.h"
#include "repository/pack_store.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// An Env in which every object of the repository reads as the file
// objects/<aa>/<sha256>: the loose file where there is one (it takes
// precedence), otherwise the object's bytes inside its pack. So code that
// reads objects by path (export, the off-site copy, check) reads packed
// objects unchanged. Every other path, and every write, goes to `target`.
// Reads are safe from several threads, as the target's are.
class PackedObjectsEnv : public EnvWrapper {
 public:
  PackedObjectsEnv(Env* target, const RepoLayout& repo, PackIndex index);

  // Drops the pack index, the largest thing this holds (20 bytes a packed
  // object); the next lookup of a packed object loads it again, failing
  // that open with the load's error. For a caller that holds another
  // large index meanwhile (the off-site copy). index() is invalid after
  // it; files already opened stay readable.
  void ReleaseIndex();

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<bool> FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;

  // The index loaded at construction; not to be called after ReleaseIndex.
  const PackIndex& index() const {
    assert(index_.has_value());
    return *index_;
  }

 private:
  struct Packed {
    PackEntry entry;
    std::string pack_path;
  };
  // The packed entry for an object path whose loose file is missing, or
  // nullopt for any other path; the load's error when the index was
  // released and cannot be loaded again.
  Result<std::optional<Packed>> PackedAt(const std::string& path);
  Result<std::unique_ptr<RandomAccessFile>> OpenPacked(const Packed& packed);

  RepoLayout repo_;
  std::string objects_prefix_;  // "<objects>/"
  std::string packs_dir_;
  std::mutex mu_;  // guards index_ (ReleaseIndex and a load again)
  std::optional<PackIndex> index_;
};

// The repository's pack index loaded, wrapped around `target`.
Result<std::unique_ptr<PackedObjectsEnv>> OpenPackedObjects(Env* target, const RepoLayout& repo);

}  // namespace arkwiki
