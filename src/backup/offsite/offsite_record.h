// Keys on an off-site target and the restore-point record (private to the
// backup layer; the format is in arkwiki/backup/offsite.h and docs/offsite.md).
#pragma once

#include <algorithm>
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
#include "offsite/file_window.h"
#include "offsite/offsite_pack_index.h"

namespace arkwiki {

inline constexpr char kKeyObjectKey[] = "key";
// The most of a key object read from a target (arkwiki writes ~500 bytes).
inline constexpr uint64_t kMaxKeyObjectBytes = uint64_t{64} << 10;
inline constexpr char kObjectsPrefix[] = "objects/";
inline constexpr char kRecordsPrefix[] = "snapshots/";
inline constexpr char kPacksPrefix[] = "packs/";
// Files smaller than this go into packs; larger ones are objects of their own.
inline constexpr uint64_t kPackedFileLimit = uint64_t{512} << 10;
// A copy closes a pack once it holds this many bytes. The pack waits in
// memory until then: 8 MiB took the first copy of 1,000,000 small files
// to an S3 target past 64 MiB of RSS (benchmarks/README.md).
inline constexpr uint64_t kPackTargetBytes = uint64_t{4} << 20;
// The most of a pack read from a target (arkwiki writes at most
// kPackTargetBytes plus one sealed small file).
inline constexpr uint64_t kMaxPackBytes = uint64_t{64} << 20;

// "objects/<aa>/<name>".
std::string ObjectKey(const std::string& name);
// "snapshots/<id>".
std::string RecordKey(const std::string& id);
// "packs/<pack>".
std::string PackKey(const std::string& pack);

// The object name of `file` (keyed hash of its SHA-256). Corruption when
// the manifest's hash is not a SHA-256.
Result<std::string> FileObjectName(const OffsiteKey& key, const ManifestFileStore::File& file);

struct OffsiteRecord {
  std::string repository_id;
  std::string id;
  std::string point_json;     // restore-point.json, byte for byte
  std::string manifest_text;  // manifest.json, byte for byte
};

// The record's plaintext: one JSON line, then (format version 2, when any
// file is packed) the pack index `packed` writes, of `packed_bytes` bytes,
// then the manifest.
Result<std::string> RecordPlaintext(const OffsiteRecord& record,
                                    const OffsitePackIndexWriter& packed);
// RecordPlaintext's bytes written to `out` in blocks, with a pack index of
// `index_bytes` (packed.TextSize()) and the manifest read from `manifest`
// (manifest.json, byte for byte, from its first byte) instead of
// record.manifest_text when it is not null: a copy never holds the record
// whole (about 300 bytes a file). IoError when `manifest` ends before its
// Size(); the pack index's error when its scratch file cannot be read.
Status WriteRecordPlaintext(const OffsiteRecord& record, const OffsitePackIndexWriter& packed,
                            uint64_t index_bytes, const RandomAccessFile* manifest, ByteSink* out);
// How many bytes WriteRecordPlaintext writes with `packed`'s index of
// `index_bytes` and a manifest of `manifest_bytes`.
uint64_t RecordPlaintextSize(const OffsiteRecord& record, const OffsitePackIndexWriter& packed,
                             uint64_t index_bytes, uint64_t manifest_bytes);
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
  OffsiteRecord record;     // manifest_text empty
  OffsitePackIndex packed;  // the manifest's files that are in packs
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
// Without `with_index` the pack index is skipped, not parsed (packed
// stays empty): a listing needs none, and it is a reader's largest part.
Result<ReadBackRecord> ReadRecord(OffsiteTarget* target, const OffsiteKey& key,
                                  const std::string& id, const OffsiteScratch& scratch,
                                  bool with_index = true);
// A private file in scratch.dir, named `prefix` and random hex, open for
// writing and reading, whose name is gone before this returns (a crash
// leaves nothing); the Env's error, naming it, when it cannot be made.
Result<UnnamedFile> CreateScratchFile(const OffsiteScratch& scratch, const std::string& prefix);

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
