#include "zip/zip_format.h"

#include <ctime>

#include "arkwiki/core/slug.h"

namespace arkwiki::zip {

DosDateTime ToDosDateTime(int64_t unix_seconds) {
  // 1980-01-01T00:00:00Z and 2107-12-31T23:59:58Z: the DOS format's range.
  constexpr int64_t kMin = 315532800;
  constexpr int64_t kMax = 4354819198;
  if (unix_seconds < kMin) unix_seconds = kMin;
  if (unix_seconds > kMax) unix_seconds = kMax;
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  DosDateTime out;
  out.time = static_cast<uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  out.date = static_cast<uint16_t>(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
  return out;
}

std::string QuoteName(std::string_view name) {
  constexpr size_t kMaxShown = 120;
  static const char kHex[] = "0123456789abcdef";
  const bool utf8 = IsValidUtf8(name);
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : name) {
    // Cut only at a character boundary so the message stays valid UTF-8.
    if (shown >= kMaxShown && (c & 0xC0) != 0x80) {
      out += "...";
      break;
    }
    ++shown;
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8)) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += "\"";
  return out;
}

}  // namespace arkwiki::zip
