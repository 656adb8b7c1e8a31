// Keys on an off-site target and the restore-point record (private to the
// backup layer; the format is in arkwiki/backup/offsite.h and docs/offsite.md).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "format/manifest_file_store.h"

namespace arkwiki {

inline constexpr char kKeyObjectKey[] = "key";
// The most of a key object read from a target (arkwiki writes ~500 bytes).
inline constexpr uint64_t kMaxKeyObjectBytes = uint64_t{64} << 10;
inline constexpr char kObjectsPrefix[] = "objects/";
inline constexpr char kRecordsPrefix[] = "snapshots/";
inline constexpr char kPacksPrefix[] = "packs/";
// Files smaller than this go into packs; larger ones are objects of their own.
inline constexpr uint64_t kPackedFileLimit = uint64_t{512} << 10;
// A copy closes a pack once it holds this many bytes.
inline constexpr uint64_t kPackTargetBytes = uint64_t{8} << 20;
// The most of a pack read from a target (arkwiki writes at most
// kPackTargetBytes plus one sealed small file).
inline constexpr uint64_t kMaxPackBytes = uint64_t{64} << 20;

// "objects/<aa>/<name>".
std::string ObjectKey(const std::string& name);
// "snapshots/<id>".
std::string RecordKey(const std::string& id);
// "packs/<pack>".
std::string PackKey(const std::string& pack);

// Where the packed objects of a record lie: object name (64 hex digits) ->
// pack name (32 hex digits) and the offset of the sealed object in the pack.
// A sealed object is stored in a pack byte for byte as it would be stored
// on its own (bound to ObjectKey(name)), EncryptedSize(file size) bytes.
//
// Why a sorted vector: a record of 1,000,000 small files names as many
// packed objects, and a std::map of them took about 100 bytes each, the
// largest part of a restore's, a check's or a copy's memory. Here an entry
// takes 40 bytes. Entries added since the last lookup wait in a second
// vector; a lookup sorts them, and merges them in once they are more than
// a quarter of the first. Bulk adds between lookups (a copy's packs, one
// at a time) thus cost O(n log n) in all. One add before each lookup would
// sort every time: PackBuffer keeps its own map for that. Not safe for use
// from two threads, not even through const methods.
class OffsitePackIndex {
 public:
  struct Location {
    std::string_view pack;
    uint64_t offset = 0;
  };
  // Adds or replaces. `name` must be 64 hex digits, `pack` 32, and `offset`
  // below kMaxPackBytes (Read checks what comes from a target; the copy
  // makes its own).
  void Add(const std::string& name, const std::string& pack, uint64_t offset);
  std::optional<Location> Find(const std::string& name) const;
  // Makes room for `entries` more adds without the vector's doubling,
  // whose second copy would be the largest thing a copy holds.
  void Reserve(size_t entries);
  // Drops every entry that `keep` refuses, given its pack and offset.
  void RetainIf(const std::function<bool(std::string_view pack, uint64_t offset)>& keep);
  bool empty() const { return sorted_.empty() && pending_.empty(); }
  size_t size() const;
  // The packs named, sorted.
  std::vector<std::string> Packs() const;
  // One line per object, sorted by name: "<name> <pack> <offset>\n".
  std::string Text() const;
  // Text() written to `out` in blocks, and its size, without holding it.
  Status WriteText(ByteSink* out) const;
  uint64_t TextSize() const;
  // Reads Text's lines from bytes [offset, offset + size) of `file`, in
  // blocks. Refuses (Corruption, naming restore point `id`) any line not
  // shaped as Text writes it, names out of order or named twice, and an
  // offset no pack reaches; the file's error when it cannot be read.
  static Result<OffsitePackIndex> Read(const RandomAccessFile& file, uint64_t offset, uint64_t size,
                                       const std::string& id);
  // Read, from bytes in memory.
  static Result<OffsitePackIndex> Parse(std::string_view text, const std::string& id);

 private:
  struct Entry {
    Sha256Raw name{};
    uint32_t pack = 0;    // index into packs_
    uint32_t offset = 0;  // below kMaxPackBytes
  };
  static bool ByName(const Entry& a, const Entry& b) { return a.name < b.name; }
  void AddRaw(const Sha256Raw& name, std::string_view pack, uint64_t offset);
  uint32_t PackNumber(std::string_view pack);
  // Sorts pending_, the last of equal names winning.
  void SortPending() const;
  // Merges pending_ into sorted_, pending_'s entries replacing equal ones.
  void Settle() const;
  const Entry* FindRaw(const Sha256Raw& name) const;

  std::vector<std::string> packs_;
  std::map<std::string, uint32_t, std::less<>> pack_numbers_;
  mutable std::vector<Entry> sorted_;   // by name, no name twice
  mutable std::vector<Entry> pending_;  // added since; sorted when pending_sorted_
  mutable bool pending_sorted_ = true;
};

// The object name of `file` (keyed hash of its SHA-256). Corruption when
// the manifest's hash is not a SHA-256.
Result<std::string> FileObjectName(const OffsiteKey& key, const ManifestFileStore::File& file);

struct OffsiteRecord {
  std::string repository_id;
  std::string id;
  std::string point_json;     // restore-point.json, byte for byte
  std::string manifest_text;  // manifest.json, byte for byte
  OffsitePackIndex packed;    // the manifest's files that are in packs
};

// The record's plaintext: one JSON line, then (format version 2, when any
// file is packed) the pack index of `packed_bytes` bytes, then the manifest.
std::string RecordPlaintext(const OffsiteRecord& record);
// RecordPlaintext's bytes written to `out` in blocks, with the manifest read
// from `manifest` (manifest.json, byte for byte, from its first byte) instead
// of record.manifest_text when it is not null: a copy never holds the record
// whole (about 300 bytes a file). IoError when `manifest` ends before its
// Size().
Status WriteRecordPlaintext(const OffsiteRecord& record, const RandomAccessFile* manifest,
                            ByteSink* out);
// How many bytes WriteRecordPlaintext writes with a manifest of
// `manifest_bytes`.
uint64_t RecordPlaintextSize(const OffsiteRecord& record, uint64_t manifest_bytes);
// The largest record ReadRecord accepts. A record holds the manifest (about
// 200 bytes a file) and the pack index (about 110 bytes a packed file):
// 2 GiB is room for the 5,000,000 files a backup may hold. A reader spools
// it to disk (ReadRecord), and a target without the key cannot make it
// write more than the first chunk that fails to decrypt.
inline constexpr uint64_t kMaxRecordBytes = uint64_t{2} << 30;
// The most a line of the pack index takes ("<64> <32> <offset below
// 64 MiB>\n"), and the most a record's header line adds to its
// restore-point.json, for a copy's check that a record will fit.
inline constexpr uint64_t kMaxIndexLineBytes = 64 + 1 + 32 + 1 + 8 + 1;
inline constexpr uint64_t kRecordHeaderBytes = 4096;
// A record read back from a target (ReadRecord).
struct ReadBackRecord {
  OffsiteRecord record;  // manifest_text empty
  // manifest.json, byte for byte: a window on the decrypted record, which
  // lies in a scratch file without a name (a crash leaves nothing behind).
  std::unique_ptr<RandomAccessFile> manifest;
};
// Gets and decrypts the record of `id` into a private scratch file in
// scratch.dir that loses its name at once, then parses its header and pack
// index: a record is never whole in memory (about 300 bytes a file).
// Corruption, naming it, when it fails or belongs to another id or
// repository; the scratch file's error (NoSpace, IoError) when it cannot
// be written or read.
// Without `with_index` the pack index is skipped, not parsed (record.packed
// stays empty): a listing needs none, and it is a reader's largest part.
Result<ReadBackRecord> ReadRecord(OffsiteTarget* target, const OffsiteKey& key,
                                  const std::string& id, const OffsiteScratch& scratch,
                                  bool with_index = true);
// An empty store for a manifest's file list, spilling past
// scratch.files_held files to a scratch file in scratch.dir.
ManifestFileStore NewFileStore(const OffsiteScratch& scratch);
// The record's manifest, parsed and checked as a backup's is, its files
// going to `files` (empty; from NewFileStore), which spills them.
Result<Manifest> ParseRecordManifest(const ReadBackRecord& read, ManifestFileStore* files);
// Ids of the records on the target, sorted (oldest first).
Result<std::vector<std::string>> ListRecordIds(OffsiteTarget* target);
// The objects under `prefix` (kObjectsPrefix or kPacksPrefix) by base name,
// with the sizes the target lists.
Result<std::map<std::string, uint64_t>> ListSizes(OffsiteTarget* target, const std::string& prefix);

// A RandomAccessFile over bytes in memory, for putting small objects.
class StringFile : public RandomAccessFile {
 public:
  explicit StringFile(std::string data) : data_(std::move(data)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override;
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string data_;
};

}  // namespace arkwiki
