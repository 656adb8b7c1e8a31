// The encrypted object stream (format: arkwiki/backup/offsite_crypto.h).
// Every full chunk is sealed as soon as it is full, straight from the
// caller's bytes when they hold a whole chunk (no copy); Finish seals the
// rest, 0 to kChunkBytes - 1 bytes, tagged FINAL. So a full-size chunk is
// never the last, and a reader that never sees FINAL knows the object was cut.
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "arkwiki/backup/offsite_crypto.h"

namespace arkwiki {
namespace {

constexpr char kMagic[] = "ARKWOFF1";
constexpr size_t kMagicBytes = sizeof(kMagic) - 1;
constexpr size_t kHeaderBytes = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kPrefixBytes = kMagicBytes + kHeaderBytes;
constexpr size_t kSealOverhead = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kSealedChunkBytes = kChunkBytes + kSealOverhead;

std::string ChunkAd(const OffsiteKey& key, const std::string& bound_key) {
  return key.repository_id() + "\n" + bound_key;
}

std::string_view AsView(const uint8_t* bytes, size_t n) {
  return {reinterpret_cast<const char*>(bytes), n};
}

// Seals `n` bytes at `plain` as the next chunk and writes it to `out`.
// `sealed` holds kSealedChunkBytes.
Status SealChunk(crypto_secretstream_xchacha20poly1305_state* state, const std::string& ad,
                 const uint8_t* plain, size_t n, bool final, uint8_t* sealed, ByteSink* out) {
  unsigned long long sealed_len = 0;
  crypto_secretstream_xchacha20poly1305_push(
      state, sealed, &sealed_len, plain, n, reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
  return out->Write(
      std::string_view(reinterpret_cast<const char*>(sealed), static_cast<size_t>(sealed_len)));
}

}  // namespace

uint64_t EncryptedSize(uint64_t plain_bytes) {
  const uint64_t chunks = plain_bytes / kChunkBytes + 1;
  return kPrefixBytes + plain_bytes + chunks * kSealOverhead;
}

EncryptingSink::EncryptingSink(const OffsiteKey& key, const std::string& bound_key, ByteSink* out)
    : out_(out),
      ad_(ChunkAd(key, bound_key)),
      sealed_(std::make_unique_for_overwrite<uint8_t[]>(kSealedChunkBytes)) {
  plain_.reserve(kChunkBytes);
  uint8_t header[kHeaderBytes];
  crypto_secretstream_xchacha20poly1305_init_push(&state_, header, key.data_key().data());
  failed_ = out_->Write(std::string(kMagic, kMagicBytes) +
                        std::string(reinterpret_cast<const char*>(header), kHeaderBytes));
  started_ = true;
}

EncryptingSink::~EncryptingSink() { sodium_memzero(&state_, sizeof(state_)); }

Status EncryptingSink::Seal(bool final) {
  Status s = SealChunk(&state_, ad_, plain_.data(), plain_.size(), final, sealed_.get(), out_);
  plain_.clear();
  return s;
}

Status EncryptingSink::Write(std::string_view data) {
  if (!started_) return Status::InvalidArgument("write after Finish");
  while (failed_.ok() && !data.empty()) {
    if (plain_.empty() && data.size() >= kChunkBytes) {
      failed_ = SealChunk(&state_, ad_, reinterpret_cast<const uint8_t*>(data.data()), kChunkBytes,
                          false, sealed_.get(), out_);
      data.remove_prefix(kChunkBytes);
      continue;
    }
    const size_t take = std::min(kChunkBytes - plain_.size(), data.size());
    plain_.insert(plain_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(take));
    data.remove_prefix(take);
    if (plain_.size() == kChunkBytes) failed_ = Seal(false);
  }
  return failed_;
}

Status EncryptingSink::Finish() {
  if (!started_) return Status::InvalidArgument("Finish called twice");
  started_ = false;
  if (failed_.ok()) failed_ = Seal(true);
  if (failed_.ok()) failed_ = out_->Flush();
  return failed_;
}

DecryptingSink::DecryptingSink(const OffsiteKey& key, const std::string& bound_key, ByteSink* out)
    : out_(out),
      bound_key_(bound_key),
      ad_(ChunkAd(key, bound_key)),
      plain_(std::make_unique_for_overwrite<uint8_t[]>(kChunkBytes)) {
  sealed_.reserve(kSealedChunkBytes);
  // The key is needed only to open the header; keep a copy in the state.
  std::memcpy(key_copy_.data(), key.data_key().data(), key_copy_.size());
}

DecryptingSink::~DecryptingSink() {
  sodium_memzero(&state_, sizeof(state_));
  sodium_memzero(key_copy_.data(), key_copy_.size());
}

Status DecryptingSink::Refuse(const std::string& why) {
  failed_ = Status::Corruption("off-site object " + bound_key_ +
                               " is damaged or is not the object stored under that name: " + why);
  return failed_;
}

Status DecryptingSink::Open() {
  if (std::memcmp(sealed_.data(), kMagic, kMagicBytes) != 0) {
    return Refuse("it does not start with " + std::string(kMagic));
  }
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state_, sealed_.data() + kMagicBytes,
                                                      key_copy_.data()) != 0) {
    return Refuse("its header is invalid");
  }
  sealed_.clear();
  opened_ = true;
  return Status::Ok();
}

Status DecryptingSink::OpenChunk(bool at_end) {
  if (sealed_.size() < kSealOverhead) return Refuse("it was cut short");
  unsigned long long plain_len = 0;
  uint8_t tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(
          &state_, plain_.get(), &plain_len, &tag, sealed_.data(), sealed_.size(),
          reinterpret_cast<const uint8_t*>(ad_.data()), ad_.size()) != 0) {
    return Refuse("chunk " + std::to_string(chunks_ + 1) + " failed authentication");
  }
  ++chunks_;
  sealed_.clear();
  const bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  if (final && !at_end) return Refuse("bytes follow its final chunk");
  if (!final && at_end) return Refuse("it was cut short after chunk " + std::to_string(chunks_));
  plain_bytes_ += plain_len;
  Status s = out_->Write(AsView(plain_.get(), static_cast<size_t>(plain_len)));
  if (!s.ok()) failed_ = s;
  return s;
}

Status DecryptingSink::Write(std::string_view data) {
  if (finished_) return Status::InvalidArgument("write after Finish");
  while (failed_.ok() && !data.empty()) {
    const size_t room = (opened_ ? kSealedChunkBytes : kPrefixBytes) - sealed_.size();
    const size_t take = std::min(room, data.size());
    sealed_.insert(sealed_.end(), data.begin(), data.begin() + static_cast<ptrdiff_t>(take));
    data.remove_prefix(take);
    if (!opened_ && sealed_.size() == kPrefixBytes) {
      ARKWIKI_RETURN_IF_ERROR(Open());
    } else if (opened_ && sealed_.size() == kSealedChunkBytes) {
      // A full-size chunk is never the final one.
      ARKWIKI_RETURN_IF_ERROR(OpenChunk(false));
    }
  }
  return failed_;
}

Status DecryptingSink::Finish() {
  if (finished_) return Status::InvalidArgument("Finish called twice");
  finished_ = true;
  if (!failed_.ok()) return failed_;
  if (!opened_) return Refuse("it is shorter than its header");
  ARKWIKI_RETURN_IF_ERROR(OpenChunk(true));
  failed_ = out_->Flush();
  return failed_;
}

Result<std::string> EncryptBytes(const OffsiteKey& key, const std::string& bound_key,
                                 std::string_view plain) {
  StringByteSink out;
  EncryptingSink sink(key, bound_key, &out);
  ARKWIKI_RETURN_IF_ERROR(sink.Write(plain));
  ARKWIKI_RETURN_IF_ERROR(sink.Finish());
  return out.data();
}

Result<std::string> DecryptBytes(const OffsiteKey& key, const std::string& bound_key,
                                 std::string_view sealed) {
  StringByteSink out;
  DecryptingSink sink(key, bound_key, &out);
  ARKWIKI_RETURN_IF_ERROR(sink.Write(sealed));
  ARKWIKI_RETURN_IF_ERROR(sink.Finish());
  return out.data();
}

}  // namespace arkwiki
