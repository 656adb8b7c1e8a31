#include "offsite/offsite_fetch.h"

#include "arkwiki/core/hash.h"
#include "offsite/offsite_record.h"

namespace arkwiki {
namespace {

// Hashes what passes through on its way to `next` (nullptr: dropped).
class HashingTee : public ByteSink {
 public:
  explicit HashingTee(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    sha_.Update(data);
    bytes_ += data.size();
    return next_ ? next_->Write(data) : Status::Ok();
  }
  Status Flush() override { return next_ ? next_->Flush() : Status::Ok(); }
  std::string FinishHex() { return sha_.FinishHex(); }
  uint64_t bytes() const { return bytes_; }

 private:
  ByteSink* next_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace

Status FetchFile(OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, ByteSink* out, uint64_t* plain_bytes) {
  HashingTee tee(out);
  DecryptingSink decrypt(key, ObjectKey(name), &tee);
  // The record says how long the object is: a target that sends more is
  // stopped at that size, before the excess reaches the disk.
  Status s = target->Get(ObjectKey(name), EncryptedSize(file.size), &decrypt);
  if (s.ok()) s = decrypt.Finish();
  if (plain_bytes) *plain_bytes += tee.bytes();
  if (!s.ok()) return s.WithContext(file.path);
  if (tee.bytes() != file.size || tee.FinishHex() != file.sha256) {
    return Status::Corruption(file.path + ": off-site object " + ObjectKey(name) +
                              " decrypted, but its content is not what the record names");
  }
  return Status::Ok();
}

}  // namespace arkwiki
