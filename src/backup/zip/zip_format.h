// ZIP record constants and little-endian encoding shared by the writer and
// the reader (APPNOTE.TXT 6.3.x). Private to the backup layer.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace arkwiki::zip {

inline constexpr uint32_t kLocalHeaderSig = 0x04034b50;
inline constexpr uint32_t kCentralHeaderSig = 0x02014b50;
inline constexpr uint32_t kDataDescriptorSig = 0x08074b50;
inline constexpr uint32_t kEndSig = 0x06054b50;
inline constexpr uint32_t kZip64EndSig = 0x06064b50;
inline constexpr uint32_t kZip64LocatorSig = 0x07064b50;

inline constexpr size_t kLocalHeaderSize = 30;
inline constexpr size_t kCentralHeaderSize = 46;
inline constexpr size_t kEndSize = 22;
inline constexpr size_t kZip64EndSize = 56;  // without extensible data
inline constexpr size_t kZip64LocatorSize = 20;
inline constexpr size_t kMaxCommentSize = 0xFFFF;

inline constexpr uint16_t kZip64ExtraTag = 0x0001;
inline constexpr uint32_t kMax32 = 0xFFFFFFFFu;
inline constexpr uint16_t kMax16 = 0xFFFFu;

// "Version needed to extract": 2.0 for deflate, 4.5 for ZIP64.
inline constexpr uint16_t kVersionDeflate = 20;
inline constexpr uint16_t kVersionZip64 = 45;

// Regular file, rw-r--r--, in the upper half of the external attributes.
inline constexpr uint32_t kUnixModeRegular0644 = 0100644;

// Appends little-endian integers.
inline void Put16(std::string* out, uint16_t v) {
  char b[2] = {static_cast<char>(v), static_cast<char>(v >> 8)};
  out->append(b, 2);
}
inline void Put32(std::string* out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v));
  Put16(out, static_cast<uint16_t>(v >> 16));
}
inline void Put64(std::string* out, uint64_t v) {
  Put32(out, static_cast<uint32_t>(v));
  Put32(out, static_cast<uint32_t>(v >> 32));
}

// Reads little-endian integers; the caller has checked the bounds.
inline uint16_t Get16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
inline uint32_t Get32(const char* p) {
  return static_cast<uint32_t>(Get16(p)) | (static_cast<uint32_t>(Get16(p + 2)) << 16);
}
inline uint64_t Get64(const char* p) {
  return static_cast<uint64_t>(Get32(p)) | (static_cast<uint64_t>(Get32(p + 4)) << 32);
}

// Walks a little-endian record front to back, remembering whether any read
// went past its end (then every later read returns 0).
class Cursor {
 public:
  explicit Cursor(std::string_view data) : data_(data) {}
  uint16_t U16() { return Take(2) ? Get16(data_.data() + pos_ - 2) : 0; }
  uint32_t U32() { return Take(4) ? Get32(data_.data() + pos_ - 4) : 0; }
  uint64_t U64() { return Take(8) ? Get64(data_.data() + pos_ - 8) : 0; }
  std::string_view Bytes(size_t n) {
    return Take(n) ? data_.substr(pos_ - n, n) : std::string_view();
  }
  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  bool Take(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::string_view data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

struct DosDateTime {
  uint16_t time = 0;
  uint16_t date = 0;
};
// Unix seconds -> DOS date/time in UTC, clamped to 1980-01-01..2107-12-31.
DosDateTime ToDosDateTime(int64_t unix_seconds);

// A name quoted for an error message: control bytes, quotes, backslashes
// and invalid UTF-8 escaped as \xNN, long names shortened with "...".
std::string QuoteName(std::string_view name);

}  // namespace arkwiki::zip
