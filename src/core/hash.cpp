#include "arkwiki/core/hash.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <stdexcept>
#include <vector>

namespace arkwiki {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 initialisation failed");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(impl_->ctx); }

void Sha256::Update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

std::string Sha256::FinishHex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  return HexEncode(digest, len);
}

std::string Sha256Hex(std::string_view data) {
  Sha256 h;
  h.Update(data);
  return h.FinishHex();
}

Result<FileDigest> Sha256File(Env* env, const std::string& path) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(path));
  Sha256 h;
  FileDigest out;
  // Not zeroed: most files hashed are far smaller than the block, and
  // zeroing it cost more than reading and hashing one of them.
  constexpr size_t kBlock = size_t{1} << 20;
  const auto buf = std::make_unique_for_overwrite<char[]>(kBlock);
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->Read(buf.get(), kBlock));
    if (n == 0) break;
    h.Update(buf.get(), n);
    out.size += n;
  }
  out.sha256 = h.FinishHex();
  return out;
}

std::string HexEncode(const void* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  const auto* p = static_cast<const unsigned char*>(data);
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[p[i] >> 4];
    out[2 * i + 1] = kDigits[p[i] & 15];
  }
  return out;
}

// Both below run for every hash of every row a backup or a restore point
// checks (hundreds of thousands per run), so neither branches per digit.

bool IsLowerHex(std::string_view s, size_t expected_len) {
  if (s.size() != expected_len) return false;
  bool ok = true;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    ok &= (static_cast<unsigned char>(u - '0') < 10) | (static_cast<unsigned char>(u - 'a') < 6);
  }
  return ok;
}

namespace {

// 0-15 for a lowercase hex digit, 0xff for any other byte.
constexpr std::array<uint8_t, 256> kHexValue = [] {
  std::array<uint8_t, 256> t{};
  t.fill(0xff);
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 6; ++i) t['a' + i] = static_cast<uint8_t>(10 + i);
  return t;
}();

}  // namespace

bool ParseSha256Hex(std::string_view hex, Sha256Raw* out) {
  if (hex.size() != 2 * out->size()) return false;
  Sha256Raw raw;
  uint8_t bad = 0;  // collects the high bits only 0xff has
  for (size_t i = 0; i < raw.size(); ++i) {
    const uint8_t hi = kHexValue[static_cast<unsigned char>(hex[2 * i])];
    const uint8_t lo = kHexValue[static_cast<unsigned char>(hex[2 * i + 1])];
    bad |= hi | lo;
    raw[i] = static_cast<uint8_t>(hi << 4 | (lo & 15));
  }
  if ((bad & 0xf0) != 0) return false;
  *out = raw;
  return true;
}

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return HexEncode(buf.data(), buf.size());
}

}  // namespace arkwiki
