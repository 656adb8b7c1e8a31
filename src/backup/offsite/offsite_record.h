// Keys on an off-site target and the restore-point record (private to the
// backup layer; the format is in arkwiki/backup/offsite.h and docs/offsite.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"

namespace arkwiki {

inline constexpr char kKeyObjectKey[] = "key";
// The most of a key object read from a target (arkwiki writes ~500 bytes).
inline constexpr uint64_t kMaxKeyObjectBytes = uint64_t{64} << 10;
inline constexpr char kObjectsPrefix[] = "objects/";
inline constexpr char kRecordsPrefix[] = "snapshots/";

// "objects/<aa>/<name>".
std::string ObjectKey(const std::string& name);
// "snapshots/<id>".
std::string RecordKey(const std::string& id);

// The object name of manifest file `i` (keyed hash of its SHA-256).
// Corruption when the manifest's hash is not a SHA-256.
Result<std::string> FileObjectName(const OffsiteKey& key, const ManifestFiles& files, size_t i);

struct OffsiteRecord {
  std::string repository_id;
  std::string id;
  std::string point_json;     // restore-point.json, byte for byte
  std::string manifest_text;  // manifest.json, byte for byte
};

// The record's plaintext: one JSON line, then the manifest.
std::string RecordPlaintext(const OffsiteRecord& record);
// Gets, decrypts and parses the record of `id`; Corruption, naming it, when
// it fails or belongs to another id or repository.
Result<OffsiteRecord> ReadRecord(OffsiteTarget* target, const OffsiteKey& key,
                                 const std::string& id);
// Ids of the records on the target, sorted (oldest first).
Result<std::vector<std::string>> ListRecordIds(OffsiteTarget* target);

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
