// Sealing files for a target and putting them (offsite_send.h).
#include "offsite/offsite_send.h"

#include <algorithm>
#include <memory>

#include "arkwiki/core/hash.h"
#include "offsite/hashing_tee.h"

namespace arkwiki {
namespace {

constexpr size_t kReadBlock = size_t{1} << 20;

Status LocalCopyChanged(const ManifestFile& file, const std::string& from) {
  return Status::Corruption("the local copy of " + file.path + " (" + from +
                            ") no longer matches its restore point; run `arkwiki backup check`");
}

}  // namespace

// Encrypts `from` into `out` as the object `bound_key`, checking that its
// bytes are `file`'s. Writes EncryptedSize(file.size) bytes when it
// succeeds. The check comes before the final chunk is written, so when
// the bytes are not `file`'s, `out` never receives a whole sealed object:
// a request body carrying it is cut short, and nothing is stored.
Status EncryptInto(Env* env, const std::string& from, const ManifestFile& file,
                   const OffsiteKey& key, const std::string& bound_key, ByteSink* out) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env->NewSequentialFile(from));
  EncryptingSink encrypt(key, bound_key, out);
  Sha256 sha;
  uint64_t size = 0;
  // Sized to the file and left uninitialised: zeroing a fresh 1 MiB block
  // for each of thousands of small files was most of a copy's system time.
  const size_t block = static_cast<size_t>(std::min<uint64_t>(file.size + 1, kReadBlock));
  auto buf = std::make_unique_for_overwrite<char[]>(block);
  while (true) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buf.get(), block));
    if (n == 0) break;
    size += n;
    if (size > file.size) return LocalCopyChanged(file, from);
    sha.Update(buf.get(), n);
    ARKWIKI_RETURN_IF_ERROR(encrypt.Write(std::string_view(buf.get(), n)));
  }
  if (size != file.size || sha.FinishHex() != file.sha256) return LocalCopyChanged(file, from);
  return encrypt.Finish();
}

Status PutObject(Env* env, OffsiteTarget* target, const std::string& key, StreamedObject* object,
                 const std::string& spool_dir) {
  if (object->Size() <= target->MaxStreamedSize()) return target->PutStreamed(key, object);
  const std::string spool = JoinPath(spool_dir, "offsite-" + RandomHex(8));
  Status s = [&]() -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(auto out, FileByteSink::Create(env, spool, CreateMode::kExclusive));
    HashingTee hashed(out.get());
    ARKWIKI_RETURN_IF_ERROR(object->WriteTo(&hashed));
    ARKWIKI_RETURN_IF_ERROR(out->Close());
    const std::string sha256_hex = hashed.FinishHex();
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(spool));
    return target->PutHashed(key, *file, sha256_hex);
  }();
  (void)env->RemoveFile(spool);  // absent if it was never created
  return s;
}

Status PackBuffer::Append(Env* env, const std::string& from, const ManifestFile& file,
                          const OffsiteKey& key, const std::string& name,
                          OffsitePackIndexWriter* record) {
  if (data_.empty()) {
    pack_ = RandomHex(16);
    data_.reserve(kPackTargetBytes + EncryptedSize(kPackedFileLimit));
  }
  const uint64_t offset = data_.size();
  Status s = EncryptInto(env, from, file, key, ObjectKey(name), this);
  if (!s.ok()) {
    data_.resize(offset);
    return s;
  }
  offsets_[name] = offset;
  return record->Add(name, pack_, offset);
}

Status PackBuffer::Put(OffsiteCopyResult* result) {
  if (data_.empty()) return Status::Ok();
  MemoryObject pack(data_);
  Status s = data_.size() <= target_->MaxStreamedSize()
                 ? target_->PutStreamed(PackKey(pack_), &pack)
                 : target_->PutHashed(PackKey(pack_), pack, Sha256Hex(data_));
  ARKWIKI_RETURN_IF_ERROR(s.WithContext("copying a pack to " + target_->Describe()));
  ++result->packs_sent;
  result->bytes_sent += data_.size();
  data_.clear();
  offsets_.clear();
  return Status::Ok();
}

Status PackBuffer::Write(std::string_view data) {
  data_.append(data);
  return Status::Ok();
}

}  // namespace arkwiki
