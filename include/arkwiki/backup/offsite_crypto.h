// The encryption of off-site copies (format for people: docs/offsite.md).
//
// Keys. A random 32-byte repository key is made when a target is first
// used. The passphrase is stretched with argon2id (libsodium crypto_pwhash,
// salt and cost stored beside it) into a key that wraps the repository key
// with XChaCha20-Poly1305; the wrapped key, salt, cost and a random
// repository id form the target's "key" object. The cost and the id are
// the wrapping's additional data, so none of them can be changed unseen.
// Two subkeys are derived from the repository key (crypto_kdf): one
// encrypts data, one names objects.
//
// Objects are named by BLAKE2b keyed with the naming subkey over the raw
// SHA-256 of their content, so the storage provider cannot tell which
// files are held, yet equal content still gets one name (deduplication).
//
// Every stored object is an encrypted stream: "ARKWOFF1", the 24-byte
// secretstream header, then chunks of crypto_secretstream_xchacha20poly1305
// (each kChunkBytes of plaintext plus 17 bytes; the last one, tagged FINAL,
// holds the remaining 0 to kChunkBytes - 1 bytes). Each chunk's additional data is "<repository
// id>\n<key>", binding it to its repository and its place on the target: a swapped, reordered, cut,
// extended or relocated object fails to decrypt.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// The argon2id cost (crypto_pwhash opslimit and memlimit). The default
// keeps the peak memory of a copy or a restore under 64 MiB.
struct KdfParams {
  uint64_t opslimit = 4;
  uint64_t memlimit = uint64_t{32} << 20;
  // The cheapest cost libsodium allows; for tests only.
  static KdfParams ForTests() { return {1, 8192}; }
};

// The highest cost Create accepts and Unlock stretches with: twice the
// default's passes and memory. A key object asking for more is refused
// before any stretching, since anyone who controls the target can plant it.
inline constexpr KdfParams kMaxKdfParams{8, uint64_t{64} << 20};

using SymmetricKey = std::array<uint8_t, 32>;

// The unlocked key of an off-site repository. Holds secrets: it wipes them
// on destruction and is not copyable.
class OffsiteKey {
 public:
  // Makes a new repository key and id, wrapped with `passphrase`.
  // InvalidArgument for an empty passphrase, or a cost libsodium refuses
  // or above kMaxKdfParams.
  static Result<std::unique_ptr<OffsiteKey>> Create(std::string_view passphrase,
                                                    const KdfParams& params);
  // Unwraps the key object `key_object`. PermissionDenied for a wrong
  // passphrase (or a key object altered since); Corruption for text that is
  // not a key object, or whose cost is outside [libsodium's minimum,
  // kMaxKdfParams] (checked before stretching); Unsupported for a newer
  // format.
  static Result<std::unique_ptr<OffsiteKey>> Unlock(const std::string& key_object,
                                                    std::string_view passphrase);
  ~OffsiteKey();
  OffsiteKey(const OffsiteKey&) = delete;
  OffsiteKey& operator=(const OffsiteKey&) = delete;

  // The key object (JSON) to store on the target; it holds no secret that
  // is usable without the passphrase.
  const std::string& key_object() const { return key_object_; }
  // 32 lowercase hex digits, chosen at Create.
  const std::string& repository_id() const { return repository_id_; }
  // 64 hex digits naming the content whose SHA-256 is `sha256`.
  std::string ObjectName(const Sha256Raw& sha256) const;
  const SymmetricKey& data_key() const { return data_key_; }

 private:
  OffsiteKey() = default;
  void DeriveSubkeys(const SymmetricKey& master);

  std::string key_object_;
  std::string repository_id_;
  SymmetricKey data_key_{};
  SymmetricKey name_key_{};
};

// Plaintext bytes per chunk of an encrypted object.
inline constexpr size_t kChunkBytes = size_t{1} << 20;
// The size of the encrypted object holding `plain_bytes`.
uint64_t EncryptedSize(uint64_t plain_bytes);

// Encrypts what is written to it into `out` (not owned), as the object
// stored under `bound_key`. Memory: two chunks, whatever the object size.
class EncryptingSink : public ByteSink {
 public:
  EncryptingSink(const OffsiteKey& key, const std::string& bound_key, ByteSink* out);
  ~EncryptingSink() override;
  Status Write(std::string_view data) override;
  // Writes the last chunk and flushes `out`. No Write after it.
  Status Finish();

 private:
  Status Seal(bool final);

  ByteSink* out_;
  std::string ad_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::vector<uint8_t> plain_;
  // Left uninitialised: zeroing a fresh chunk for each of thousands of
  // small files a copy seals was 15-20% of its time.
  std::unique_ptr<uint8_t[]> sealed_;
  bool started_ = false;
  Status failed_;
};

// Decrypts an object stored under `bound_key` as its bytes are written to
// it, passing the plaintext to `out` (not owned). Corruption, naming
// `bound_key`, for anything but the exact bytes EncryptingSink wrote for
// that key in that repository: Finish reports a cut object.
class DecryptingSink : public ByteSink {
 public:
  DecryptingSink(const OffsiteKey& key, const std::string& bound_key, ByteSink* out);
  ~DecryptingSink() override;
  Status Write(std::string_view data) override;
  // Corruption unless the final chunk arrived with nothing after it.
  Status Finish();
  uint64_t plain_bytes() const { return plain_bytes_; }

 private:
  Status Open();
  // Opens the buffered chunk; `at_end`: no byte follows it.
  Status OpenChunk(bool at_end);
  Status Refuse(const std::string& why);

  ByteSink* out_;
  std::string bound_key_;
  std::string ad_;
  SymmetricKey key_copy_{};
  crypto_secretstream_xchacha20poly1305_state state_{};
  uint64_t chunks_ = 0;
  std::vector<uint8_t> sealed_;
  // Not zeroed: a sink is made for every sealed object opened, and
  // zeroing a chunk's room for a small object took longer than
  // decrypting it.
  std::unique_ptr<uint8_t[]> plain_;
  bool opened_ = false;
  bool finished_ = false;
  uint64_t plain_bytes_ = 0;
  Status failed_;
};

// One-shot forms for small objects (the restore-point records).
Result<std::string> EncryptBytes(const OffsiteKey& key, const std::string& bound_key,
                                 std::string_view plain);
Result<std::string> DecryptBytes(const OffsiteKey& key, const std::string& bound_key,
                                 std::string_view sealed);

}  // namespace arkwiki
