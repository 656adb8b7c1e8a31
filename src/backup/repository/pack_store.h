// Pack files: many small objects stored in one file (private to the backup
// layer; format: docs/backup-repository.md#pack-files).
//
// A pack is objects/packs/<sha256 of the whole file>.pack:
//   the objects' bytes, back to back;
//   the index: one line "<object sha256> <offset> <size>\n" per object;
//   a trailer of exactly kPackTrailerSize bytes:
//     "arkwiki-pack-v1 " and the index length as 15 decimal digits, "\n".
// A pack is written whole in tmp/ and renamed into objects/packs/, so a
// pack there is always complete; it is made durable by the snapshot's one
// syncfs before the manifest that names its objects. A crash before the
// rename leaves only tmp/ (emptied by the next locked run); after it, a
// pack whose objects no manifest names yet (the next snapshot reuses them,
// or prune removes the pack).
//
// A loose object (objects/<aa>/<sha256>) takes precedence over a packed
// copy of the same object: a damaged packed object is repaired by storing
// it loose.
//
// In an encrypted repository each entry is one sealed object
// (repository/sealed_env.h): the index names it by its keyed name, with the
// offset and size of its sealed bytes, so one object is still read, and
// decrypted, alone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// Objects below this size written by a snapshot go into packs.
inline constexpr uint64_t kPackObjectLimit = 512 << 10;
// A pack is closed once it holds this much object data.
inline constexpr uint64_t kPackTargetSize = 32 << 20;
inline constexpr size_t kPackTrailerSize = 32;

// 44 bytes: a pack arkwiki writes holds at most kPackTargetSize plus one
// object below kPackObjectLimit (sealed: a little more), so offsets and
// sizes fit 32 bits; an index naming more is refused as damaged.
struct PackEntry {
  Sha256Raw sha256{};
  uint32_t pack = 0;  // index into PackIndex::packs()
  uint32_t offset = 0;
  uint32_t size = 0;
  bool operator<(const PackEntry& o) const { return sha256 < o.sha256; }
};

// Every readable pack's index, in memory (44 bytes per packed object).
class PackIndex {
 public:
  // Reads the trailer and index of each objects/packs/*.pack. A pack whose
  // trailer or index is damaged is listed in unreadable() and skipped: its
  // objects then count as missing.
  static Result<PackIndex> Load(Env* env, const RepoLayout& repo);
  // As above, holding only the entries whose stored name `wanted` accepts:
  // for a reader that needs a few objects out of many.
  static Result<PackIndex> LoadOnly(Env* env, const RepoLayout& repo,
                                    const std::function<bool(const Sha256Raw&)>& wanted);

  // The entry for `sha256`, or nullptr.
  const PackEntry* Find(const Sha256Raw& sha256) const;
  // File names ("<sha256>.pack") of the readable packs.
  const std::vector<std::string>& packs() const { return packs_; }
  // Sorted by object hash.
  const std::vector<PackEntry>& entries() const { return entries_; }
  // "<name>: <reason>" for each pack that could not be read.
  const std::vector<std::string>& unreadable() const { return unreadable_; }

 private:
  // Appends the entries of the packs `names` in `dir` (with `wanted`, only
  // those it accepts), notes the damaged ones, and sorts the index.
  Status AddPacks(Env* env, const std::string& dir, const std::vector<std::string>& names,
                  const std::function<bool(const Sha256Raw&)>& wanted);
  void Sort();

  std::vector<std::string> packs_;
  std::vector<PackEntry> entries_;
  std::vector<std::string> unreadable_;
};

// objects/packs/ of `repo`.
std::string PacksDir(const RepoLayout& repo);
// The names ("<sha256>.pack") of the packs in PacksDir(repo), sorted; none
// when it does not exist. Other files there are left out.
Result<std::vector<std::string>> ListPacks(Env* env, const RepoLayout& repo);
// Appends the entries of the pack `name` in `dir` to *entries, numbered
// `pack`. Corruption, and nothing appended, when its trailer or index is
// damaged.
Status ReadPackEntries(Env* env, const std::string& dir, const std::string& name, uint32_t pack,
                       std::vector<PackEntry>* entries);

// Writes the small objects of one snapshot into packs (steps in the file
// comment). Nothing is synced: the caller's syncfs makes the packs durable
// before a manifest names their objects. With `key`, entries are sealed
// (see the file comment).
class PackWriter {
 public:
  PackWriter(Env* env, const RepoLayout& repo, const OffsiteKey* key = nullptr);
  ~PackWriter();
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  // Appends the file `from` as the object `sha256` (below kPackObjectLimit).
  // Corruption when its bytes do not match `sha256` and `size` (nothing is
  // appended then); NotFound when `from` is missing.
  Status Add(const std::string& from, const std::string& sha256, uint64_t size);
  // Appends `bytes`, whose SHA-256 the caller computed as `sha256`, as that
  // object (below kPackObjectLimit).
  Status AddBytes(const std::string& sha256, std::string_view bytes);
  // Places the pack being written, if any. Must be called after the last Add.
  Status Finish();
  uint64_t packs_written() const { return packs_written_; }

 private:
  Status Append(const std::string& sha256, std::string_view bytes);
  Status Open();
  Status Place();

  Env* env_;
  const RepoLayout& repo_;
  const OffsiteKey* key_;
  std::vector<char> buffer_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<Sha256> hash_;
  std::string tmp_path_;
  std::string index_;
  uint64_t offset_ = 0;
  uint64_t packs_written_ = 0;
  bool format_upgraded_ = false;
};

}  // namespace arkwiki
