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

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
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

// The bits of a pack entry's place in the pack index. A pack arkwiki
// writes holds at most kPackTargetSize plus one object below
// kPackObjectLimit (sealed: a little more), so its offsets are under 2^26
// and its sizes under 2^20; an index line past them is a damaged index.
// The index holds 2^18 packs: a snapshot closes a pack that is not full,
// so this is about two packs a snapshot for 15 years of hourly snapshots
// that keep their objects (prune does not repack).
inline constexpr unsigned kPackOffsetBits = 26;
inline constexpr unsigned kPackSizeBits = 20;
inline constexpr unsigned kPackNumberBits = 64 - kPackOffsetBits - kPackSizeBits;
static_assert(kPackTargetSize + kPackObjectLimit + (1 << 20) < (uint64_t{1} << kPackOffsetBits));
static_assert(2 * kPackObjectLimit <= (uint64_t{1} << kPackSizeBits));

// One object in a pack.
struct PackEntry {
  Sha256Raw sha256{};
  uint32_t pack = 0;  // index into PackIndex::packs()
  uint32_t offset = 0;
  uint32_t size = 0;
  bool operator<(const PackEntry& o) const { return sha256 < o.sha256; }
};

// Every readable pack's index, in memory: 20 bytes per packed object, not
// its whole name. Each entry holds the first 4 bytes of the object's name,
// 8 bytes of SipHash of the whole name under a key drawn at random for
// this index, and the object's pack, offset and size packed into 8 bytes; a
// name is found when both match. Why: the whole name beside the place (44
// bytes) made the index the largest part of a check, an export or a
// snapshot at 1,000,000 objects (48.7 MB), where the target is 64 MiB for
// all of it (benchmarks/README.md, "Scale"). Bytes of the name alone could
// be made to collide by an upload crafted for it, which would then never
// be stored; the keyed 8 bytes cannot be aimed at, since no one outside
// this process knows the key: a name crafted to share the 4 bytes matches
// with odds of 2^-64, and no try can be tested offline (two names at
// random: 2^-96 per pair, so ~10^-17 for a snapshot of 1,000,000 uploads
// against as many objects).
class PackIndex {
 public:
  PackIndex();
  ~PackIndex();
  PackIndex(PackIndex&& other) noexcept;
  PackIndex& operator=(PackIndex&& other) noexcept;
  PackIndex(const PackIndex&) = delete;
  PackIndex& operator=(const PackIndex&) = delete;

  // Reads the trailer and index of each objects/packs/*.pack. A pack whose
  // trailer or index is damaged is listed in unreadable() and skipped: its
  // objects then count as missing. `env` must outlive the index.
  static Result<PackIndex> Load(Env* env, const RepoLayout& repo);

  // The entry for `sha256` (of an object in several packs, the first pack
  // by name), or nullopt.
  std::optional<PackEntry> Find(const Sha256Raw& sha256) const;
  // Find's entry as its position, 0 to size() - 1.
  std::optional<size_t> FindPosition(const Sha256Raw& sha256) const;
  size_t size() const { return slots_.size(); }
  // Every entry, sorted by name, each name read back from its pack (44
  // bytes an entry: for tests and tools, not for a large repository).
  Result<std::vector<PackEntry>> ReadEntries() const;
  // File names ("<sha256>.pack") of the readable packs.
  const std::vector<std::string>& packs() const { return packs_; }
  // "<name>: <reason>" for each pack that could not be read.
  const std::vector<std::string>& unreadable() const { return unreadable_; }

 private:
  // 20 bytes, 4-aligned; sorted by prefix, then place (pack, offset).
  struct Slot {
    uint32_t prefix = 0;              // the name's bytes 0-3, big-endian
    std::array<uint32_t, 2> tag{};    // SipHash-2-4 of the whole name under tag_key_
    std::array<uint32_t, 2> place{};  // PlaceOf: its high and low 32 bits
  };
  // pack << 46 | offset << 20 | size, in the bits kPack*Bits give them.
  static uint64_t PlaceOf(const Slot& slot) {
    return uint64_t{slot.place[0]} << 32 | slot.place[1];
  }
  static PackEntry EntryOf(const Sha256Raw& sha256, const Slot& slot);

  PackIndex(Env* env, const RepoLayout& repo);
  // Appends the entries of the packs `names`, notes the damaged ones, and
  // sorts the index.
  Status AddPacks(const std::vector<std::string>& names);
  Slot SlotOf(const PackEntry& entry) const;
  // The first slot whose prefix is not below `key`'s.
  std::vector<Slot>::const_iterator FirstWithPrefix(const Slot& key) const;

  Env* env_ = nullptr;
  std::string dir_;
  std::array<unsigned char, 16> tag_key_{};
  std::vector<std::string> packs_;
  std::vector<Slot> slots_;
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
// As above, each entry handed to `each` in index order; on Corruption the
// entries before the damaged line have been handed out.
Status ReadPackEntries(Env* env, const std::string& dir, const std::string& name, uint32_t pack,
                       const std::function<void(const PackEntry&)>& each);

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
