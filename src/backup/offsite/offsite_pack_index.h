// A record's pack index: where the packed objects of a restore point lie
// on a target (private to the backup layer; the text format is in
// docs/offsite.md). One line per object, sorted by name:
// "<name> <pack> <offset>\n", the name 64 hex digits, the pack 32.
//
// Two types, one per direction, because reading and writing need
// different things of 1,000,000 entries:
// - OffsitePackIndex, read back from a target, answers where an object
//   lies. It holds 20 bytes an entry (the first 12 bytes of the name):
//   a restore, a check and a copy's look at the target's newest record
//   hold it whole, and its 40 bytes an entry decided their peak memory.
// - OffsitePackIndexWriter, a copy's index of the record it is writing,
//   must write the full names in order. It spills sorted runs of full
//   entries to a scratch file and merges them as it writes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// The packs an index's entries name, each by a number (a record names a
// few hundred; an entry holds 4 bytes instead of the 32-digit name).
class PackNames {
 public:
  // `pack`'s number, given it on first sight.
  uint32_t Number(std::string_view pack);
  const std::string& operator[](uint32_t number) const { return names_[number]; }
  size_t size() const { return names_.size(); }
  // Name -> number, in name order.
  const std::map<std::string, uint32_t, std::less<>>& by_name() const { return numbers_; }

 private:
  std::vector<std::string> names_;
  std::map<std::string, uint32_t, std::less<>> numbers_;
};

// Where the packed objects of a record lie: object name -> pack name and
// the offset of the sealed object in the pack. A sealed object is stored
// in a pack byte for byte as it would be stored on its own (bound to
// ObjectKey(name)), EncryptedSize(file size) bytes.
//
// Only the first 12 bytes of each name are kept. Names are keyed hashes,
// so two names of one record share them with odds of about 2^-57 at
// 1,000,000 objects, and nobody without the key can aim at that; Read
// refuses such a record all the same (and a writer never writes one)
// rather than answer for the wrong object. A lookup of a name the index
// lacks that shares its first 12 bytes with one it holds (odds of about
// 2^-56 for a copy of 1,000,000 files against as many) gets that object's
// place: a restore or a check then fails to decrypt it, bound as it is to
// the full name, but a copy would take the object for present and name
// the other's place, which only a check of the target (--read-all) or a
// restore finds. Not safe for use from two threads.
class OffsitePackIndex {
 public:
  struct Location {
    std::string_view pack;
    uint64_t offset = 0;
  };
  std::optional<Location> Find(const std::string& name) const;
  // Drops every entry that `keep` refuses, given its pack and offset.
  void RetainIf(const std::function<bool(std::string_view pack, uint64_t offset)>& keep);
  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  // The packs named, sorted.
  std::vector<std::string> Packs() const;
  // Reads the text's lines from bytes [offset, offset + size) of `file`, in
  // blocks. Refuses (Corruption, naming restore point `id`) any line not
  // shaped as a writer writes it, names out of order or named twice, two
  // names that share their first 12 bytes, and an offset no pack reaches;
  // the file's error when it cannot be read.
  static Result<OffsitePackIndex> Read(const RandomAccessFile& file, uint64_t offset, uint64_t size,
                                       const std::string& id);
  // Read, from bytes in memory.
  static Result<OffsitePackIndex> Parse(std::string_view text, const std::string& id);

 private:
  friend class OffsitePackIndexWriter;
  static constexpr size_t kPrefixBytes = 12;
  using Prefix = std::array<unsigned char, kPrefixBytes>;
  struct Entry {
    Prefix name{};
    uint32_t pack = 0;    // in packs_
    uint32_t offset = 0;  // below kMaxPackBytes
  };
  static Prefix PrefixOf(const Sha256Raw& name);
  // Appends an entry whose name sorts after `previous`, the name appended
  // last (null for the first); Corruption saying what is wrong when it
  // does not, or when it shares the previous one's first 12 bytes.
  Status Append(const Sha256Raw& name, std::string_view pack, uint64_t offset,
                const Sha256Raw* previous);

  PackNames packs_;
  std::vector<Entry> entries_;  // by name, no prefix twice
};

// The pack index of a record a copy writes. Entries come in any order,
// and a name added twice keeps one of its places (a copy adds the same
// object's one place, or two places that both hold it). Past
// scratch.files_held entries the entries held are sorted and written, 40
// bytes each, as a run to a private scratch file in scratch.dir that
// loses its name at once (a crash leaves nothing behind); every pass
// merges the runs, reading each in blocks. At 1,000,000 objects and the
// default 65,536 held, that is 2.6 MB held and 16 runs of 16 KiB blocks,
// against 40 MB held whole.
class OffsitePackIndexWriter {
 public:
  // Holds every entry in memory.
  OffsitePackIndexWriter() = default;
  explicit OffsitePackIndexWriter(const OffsiteScratch& scratch);
  OffsitePackIndexWriter(OffsitePackIndexWriter&&) = default;
  OffsitePackIndexWriter& operator=(OffsitePackIndexWriter&&) = default;

  // `name` must be 64 hex digits, `pack` 32 and `offset` below
  // kMaxPackBytes (the copy makes them). The Env's error (NoSpace,
  // IoError) when a run cannot be written; every later call then fails
  // with that error.
  Status Add(const std::string& name, std::string_view pack, uint64_t offset);
  bool empty() const { return added_ == 0; }
  // The size of the text WriteText writes (a pass over the runs).
  // Unsupported when two names share their first 12 bytes, which no
  // reader tells apart (OffsitePackIndex): such a record is never written.
  Result<uint64_t> TextSize() const;
  // The text, sorted by name, each name once, written to `out` in blocks.
  Status WriteText(ByteSink* out) const;
  // The same entries as an index read back (for the next restore point of
  // the same copy).
  Result<OffsitePackIndex> ToIndex() const;

 private:
  struct Entry {
    Sha256Raw name{};
    uint32_t pack = 0;
    uint32_t offset = 0;
  };
  class RunReader;
  Status Spill();
  // Calls `fn` for each distinct name, in order, with one of its entries.
  Status ForEach(const std::function<Status(const Entry&)>& fn) const;

  OffsiteScratch scratch_;
  bool spills_ = false;
  PackNames packs_;
  mutable std::vector<Entry> held_;  // sorted when held_sorted_
  mutable bool held_sorted_ = true;
  std::optional<UnnamedFile> runs_file_;
  std::vector<uint64_t> run_ends_;  // entries written before each run's end
  uint64_t added_ = 0;
  Status failed_;  // a run that could not be written (its bytes may be partial)
};

}  // namespace arkwiki
