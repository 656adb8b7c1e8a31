#include "offsite/offsite_fetch.h"

#include "offsite/hashing_tee.h"
#include "offsite/offsite_record.h"

namespace arkwiki {
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
