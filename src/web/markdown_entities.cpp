// Named references are looked up in md4c-html's HTML5 table (2,125 names),
// which the library exports but does not declare in a header.
#include "markdown_entities.h"

#include <cstddef>
#include <cstdint>

extern "C" {
struct entity {
  const char* name;
  unsigned codepoints[2];
};
const struct entity* entity_lookup(const char* name, size_t name_size);
}

namespace arkwiki {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xC0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xE0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *out += static_cast<char>(0xF0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// "&#...;" -> code point, or false if not a numeric reference.
bool ParseNumeric(std::string_view entity, uint32_t* cp) {
  if (entity.size() < 4 || entity.substr(0, 2) != "&#" || entity.back() != ';') return false;
  std::string_view digits = entity.substr(2, entity.size() - 3);
  bool hex = digits[0] == 'x' || digits[0] == 'X';
  if (hex) digits.remove_prefix(1);
  if (digits.empty() || digits.size() > 8) return false;
  uint32_t value = 0;
  for (char c : digits) {
    int d = (c >= '0' && c <= '9')          ? c - '0'
            : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                            : -1;
    if (d < 0) return false;
    value = value * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  *cp = value;
  return true;
}

}  // namespace

bool DecodeEntity(std::string_view entity, std::string* out) {
  uint32_t cp = 0;
  if (ParseNumeric(entity, &cp)) {
    AppendUtf8(cp, out);
    return true;
  }
  const struct entity* found = entity_lookup(entity.data(), entity.size());
  if (found == nullptr) return false;
  AppendUtf8(found->codepoints[0], out);
  if (found->codepoints[1] != 0) AppendUtf8(found->codepoints[1], out);
  return true;
}

}  // namespace arkwiki
