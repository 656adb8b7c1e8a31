// Sealing files for an off-site target and putting them (private to the
// copy engine, offsite_copy.cpp): a file sealed as it is sent, a pack of
// small files sealed in memory, and the spool file for a target that
// takes no streamed objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/manifest_files.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/env.h"
#include "offsite/offsite_record.h"

namespace arkwiki {

// Encrypts `from` into `out` as the object `bound_key`, checking that its
// bytes are `file`'s. Writes EncryptedSize(file.size) bytes when it
// succeeds. The check comes before the final chunk is written, so when
// the bytes are not `file`'s, `out` never receives a whole sealed object:
// a request body carrying it is cut short, and nothing is stored.
Status EncryptInto(Env* env, const std::string& from, const ManifestFile& file,
                   const OffsiteKey& key, const std::string& bound_key, ByteSink* out);

// A local file sealed as the object `bound_key` as it is sent
// (OffsiteTarget::PutStreamed); each WriteTo reads and seals it anew.
class SealedFile final : public StreamedObject {
 public:
  SealedFile(Env* env, std::string from, ManifestFile file, const OffsiteKey& key,
             std::string bound_key)
      : env_(env),
        from_(std::move(from)),
        file_(std::move(file)),
        key_(key),
        bound_key_(std::move(bound_key)) {}
  uint64_t Size() const override { return EncryptedSize(file_.size); }
  Status WriteTo(ByteSink* out) override {
    return EncryptInto(env_, from_, file_, key_, bound_key_, out);
  }

 private:
  Env* env_;
  std::string from_;
  ManifestFile file_;
  const OffsiteKey& key_;
  std::string bound_key_;
};

// Bytes in memory, as a streamed object or as a file to Put.
class MemoryObject final : public StreamedObject, public RandomAccessFile {
 public:
  explicit MemoryObject(std::string_view data) : data_(data) {}
  uint64_t Size() const override { return data_.size(); }
  Status WriteTo(ByteSink* out) override { return out->Write(data_); }
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= data_.size()) return size_t{0};
    return data_.copy(buf, n, static_cast<size_t>(offset));
  }

 private:
  std::string_view data_;
};

// Puts `object` as `key`: streamed into the request where the target takes
// an object of its size (OffsiteTarget::MaxStreamedSize), else written to a
// spool file in `spool_dir` first, with its SHA-256, which the target then
// needs before it sends the bytes (a multipart upload). The spool file is
// removed however this ends (a leftover of a crash goes with the next prune).
Status PutObject(Env* env, OffsiteTarget* target, const std::string& key, StreamedObject* object,
                 const std::string& spool_dir);

// The pack a copy is filling: small files, sealed as they would be on
// their own, appended in memory and put as one object once it holds
// kPackTargetBytes, and at the end of the restore point. Its buffer, at
// most kPackTargetBytes plus one sealed small file, is allocated once per
// copy and reused.
class PackBuffer final : private ByteSink {
 public:
  explicit PackBuffer(OffsiteTarget* target) : target_(target) {}
  PackBuffer(const PackBuffer&) = delete;
  PackBuffer& operator=(const PackBuffer&) = delete;

  // Seals `file` (from `from`) into the pack as object `name` and records
  // where in `record`; `record`'s error when it cannot take the entry.
  Status Append(Env* env, const std::string& from, const ManifestFile& file, const OffsiteKey& key,
                const std::string& name, OffsitePackIndexWriter* record);
  // Where an object appended since the last Put lies: a hash map of this
  // pack's objects, since the record's index writer cannot be searched.
  std::optional<OffsitePackIndex::Location> Pending(const std::string& name) const {
    auto it = offsets_.find(name);
    if (it == offsets_.end()) return std::nullopt;
    return OffsitePackIndex::Location{pack_, it->second};
  }
  bool full() const { return data_.size() >= kPackTargetBytes; }
  // Puts the pack, if it holds anything: streamed where the target takes
  // it, else with its SHA-256. Where its objects lie is in the record
  // Append was given.
  Status Put(OffsiteCopyResult* result);

 private:
  Status Write(std::string_view data) override;

  OffsiteTarget* target_;
  std::string pack_;
  std::string data_;  // the sealed objects appended since the last Put
  std::unordered_map<std::string, uint64_t> offsets_;  // by object name
};

}  // namespace arkwiki
