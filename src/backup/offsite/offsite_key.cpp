// OffsiteKey: the repository key, wrapped by the passphrase in the target's
// "key" object (format: arkwiki/backup/offsite_crypto.h, docs/offsite.md).
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <sodium.h>

#include <sstream>

#include "arkwiki/backup/offsite_crypto.h"

namespace arkwiki {
namespace {

constexpr char kKeyFormat[] = "arkwiki-offsite-key";
constexpr int kKeyFormatVersion = 1;
constexpr char kKdfName[] = "argon2id13";
constexpr char kDataContext[crypto_kdf_CONTEXTBYTES + 1] = "arkwdata";
constexpr char kNameContext[crypto_kdf_CONTEXTBYTES + 1] = "arkwname";

struct WrapFields {
  std::string repository_id;
  KdfParams params;
  std::array<uint8_t, crypto_pwhash_SALTBYTES> salt{};
  std::array<uint8_t, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES> nonce{};
  std::string wrapped;  // raw bytes: the sealed repository key
};

std::string Hex(const uint8_t* data, size_t n) { return HexEncode(data, n); }

bool Unhex(const std::string& hex, uint8_t* out, size_t n) {
  size_t written = 0;
  return hex.size() == 2 * n &&
         sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &written, nullptr) == 0 &&
         written == n;
}

// The wrapping's additional data: everything in the key object but the
// wrapped key and nonce, so a changed cost, salt or id is refused.
std::string WrapAd(const WrapFields& f) {
  return std::string(kKeyFormat) + " " + std::to_string(kKeyFormatVersion) + " " + f.repository_id +
         " " + kKdfName + " " + std::to_string(f.params.opslimit) + " " +
         std::to_string(f.params.memlimit) + " " + Hex(f.salt.data(), f.salt.size());
}

Status Stretch(std::string_view passphrase, const WrapFields& f, SymmetricKey* out) {
  if (crypto_pwhash(out->data(), out->size(), passphrase.data(), passphrase.size(), f.salt.data(),
                    f.params.opslimit, f.params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::IoError("argon2id could not run (out of memory?) with opslimit " +
                           std::to_string(f.params.opslimit) + ", memlimit " +
                           std::to_string(f.params.memlimit));
  }
  return Status::Ok();
}

std::string KeyObjectJson(const WrapFields& f) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("format", std::string(kKeyFormat));
  o->set("format_version", kKeyFormatVersion);
  o->set("repository_id", f.repository_id);
  o->set("kdf", std::string(kKdfName));
  o->set("opslimit", static_cast<Poco::UInt64>(f.params.opslimit));
  o->set("memlimit", static_cast<Poco::UInt64>(f.params.memlimit));
  o->set("salt", Hex(f.salt.data(), f.salt.size()));
  o->set("nonce", Hex(f.nonce.data(), f.nonce.size()));
  o->set("wrapped_key", Hex(reinterpret_cast<const uint8_t*>(f.wrapped.data()), f.wrapped.size()));
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 2);
  return out.str() + "\n";
}

Result<WrapFields> ParseKeyObject(const std::string& text) {
  const Status bad = Status::Corruption("the target's key object is not an arkwiki key object");
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
    if (!o || o->getValue<std::string>("format") != kKeyFormat) return bad;
    const int version = o->getValue<int>("format_version");
    if (version > kKeyFormatVersion) {
      return Status::Unsupported("the target's key object has format version " +
                                 std::to_string(version) + "; this arkwiki reads up to " +
                                 std::to_string(kKeyFormatVersion));
    }
    WrapFields f;
    f.repository_id = o->getValue<std::string>("repository_id");
    f.params.opslimit = o->getValue<Poco::UInt64>("opslimit");
    f.params.memlimit = o->getValue<Poco::UInt64>("memlimit");
    std::string wrapped(SymmetricKey().size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
    if (o->getValue<std::string>("kdf") != kKdfName || !IsLowerHex(f.repository_id, 32) ||
        !Unhex(o->getValue<std::string>("salt"), f.salt.data(), f.salt.size()) ||
        !Unhex(o->getValue<std::string>("nonce"), f.nonce.data(), f.nonce.size()) ||
        !Unhex(o->getValue<std::string>("wrapped_key"), reinterpret_cast<uint8_t*>(wrapped.data()),
               wrapped.size())) {
      return bad;
    }
    f.wrapped = std::move(wrapped);
    return f;
  } catch (const Poco::Exception&) {
    return bad;
  } catch (const std::exception&) {
    return bad;
  }
}

Status CheckParams(const KdfParams& p) {
  if (p.opslimit < crypto_pwhash_OPSLIMIT_MIN || p.opslimit > kMaxKdfParams.opslimit ||
      p.memlimit < crypto_pwhash_MEMLIMIT_MIN || p.memlimit > kMaxKdfParams.memlimit) {
    return Status::InvalidArgument("argon2id cost out of range: opslimit " +
                                   std::to_string(p.opslimit) + ", memlimit " +
                                   std::to_string(p.memlimit) + " (arkwiki accepts opslimit " +
                                   std::to_string(crypto_pwhash_OPSLIMIT_MIN) + " to " +
                                   std::to_string(kMaxKdfParams.opslimit) + ", memlimit " +
                                   std::to_string(crypto_pwhash_MEMLIMIT_MIN) + " to " +
                                   std::to_string(kMaxKdfParams.memlimit) + ")");
  }
  return Status::Ok();
}

// The key object comes from the target: a planted one must not make every
// unlock stretch for hours or take gigabytes, so its cost is checked
// against the ceiling before crypto_pwhash runs.
Status CheckStoredParams(const KdfParams& p) {
  Status s = CheckParams(p);
  if (s.ok()) return s;
  return Status::Corruption(
      "the target's key object is refused before the passphrase is stretched: " + s.message());
}

}  // namespace

OffsiteKey::~OffsiteKey() {
  sodium_memzero(data_key_.data(), data_key_.size());
  sodium_memzero(name_key_.data(), name_key_.size());
}

void OffsiteKey::DeriveSubkeys(const SymmetricKey& master) {
  crypto_kdf_derive_from_key(data_key_.data(), data_key_.size(), 1, kDataContext, master.data());
  crypto_kdf_derive_from_key(name_key_.data(), name_key_.size(), 2, kNameContext, master.data());
}

Result<std::unique_ptr<OffsiteKey>> OffsiteKey::Create(std::string_view passphrase,
                                                       const KdfParams& params) {
  if (sodium_init() < 0) return Status::IoError("libsodium could not be initialised");
  if (passphrase.empty()) return Status::InvalidArgument("the passphrase is empty");
  ARKWIKI_RETURN_IF_ERROR(CheckParams(params));
  WrapFields f;
  f.repository_id = RandomHex(16);
  f.params = params;
  randombytes_buf(f.salt.data(), f.salt.size());
  randombytes_buf(f.nonce.data(), f.nonce.size());
  SymmetricKey master;
  crypto_kdf_keygen(master.data());
  SymmetricKey wrapping;
  ARKWIKI_RETURN_IF_ERROR(Stretch(passphrase, f, &wrapping));
  f.wrapped.resize(master.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  const std::string ad = WrapAd(f);
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<uint8_t*>(f.wrapped.data()), nullptr,
                                             master.data(), master.size(),
                                             reinterpret_cast<const uint8_t*>(ad.data()), ad.size(),
                                             nullptr, f.nonce.data(), wrapping.data());
  std::unique_ptr<OffsiteKey> key(new OffsiteKey());
  key->DeriveSubkeys(master);
  key->repository_id_ = f.repository_id;
  key->key_object_ = KeyObjectJson(f);
  sodium_memzero(master.data(), master.size());
  sodium_memzero(wrapping.data(), wrapping.size());
  return key;
}

Result<std::unique_ptr<OffsiteKey>> OffsiteKey::Unlock(const std::string& key_object,
                                                       std::string_view passphrase) {
  if (sodium_init() < 0) return Status::IoError("libsodium could not be initialised");
  ARKWIKI_ASSIGN_OR_RETURN(WrapFields f, ParseKeyObject(key_object));
  ARKWIKI_RETURN_IF_ERROR(CheckStoredParams(f.params));
  SymmetricKey wrapping;
  ARKWIKI_RETURN_IF_ERROR(Stretch(passphrase, f, &wrapping));
  SymmetricKey master;
  const std::string ad = WrapAd(f);
  const int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
      master.data(), nullptr, nullptr, reinterpret_cast<const uint8_t*>(f.wrapped.data()),
      f.wrapped.size(), reinterpret_cast<const uint8_t*>(ad.data()), ad.size(), f.nonce.data(),
      wrapping.data());
  sodium_memzero(wrapping.data(), wrapping.size());
  if (rc != 0) {
    return Status::PermissionDenied(
        "wrong passphrase for off-site repository " + f.repository_id +
        " (or its key object was altered): the repository key could not be unwrapped");
  }
  std::unique_ptr<OffsiteKey> key(new OffsiteKey());
  key->DeriveSubkeys(master);
  sodium_memzero(master.data(), master.size());
  key->repository_id_ = f.repository_id;
  key->key_object_ = key_object;
  return key;
}

std::string OffsiteKey::ObjectName(const Sha256Raw& sha256) const {
  std::array<uint8_t, 32> name{};
  crypto_generichash(name.data(), name.size(), sha256.data(), sha256.size(), name_key_.data(),
                     name_key_.size());
  return HexEncode(name.data(), name.size());
}

}  // namespace arkwiki
