#include "offsite/shown_text.h"

#include <cstdint>

#include "arkwiki/core/utf8.h"

namespace arkwiki {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";

uint32_t CodePoint(std::string_view seq) {
  const auto lead = static_cast<unsigned char>(seq[0]);
  if (seq.size() == 1) return lead;
  uint32_t cp = lead & (0x7F >> seq.size());
  for (size_t k = 1; k < seq.size(); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(seq[k]) & 0x3F);
  return cp;
}

// Characters that move or hide text rather than show it.
bool IsHidden(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

void AppendEscaped(uint32_t cp, std::string* out) {
  if (cp < 0x100) {
    *out += "\\x";
    *out += kHex[cp >> 4];
    *out += kHex[cp & 0xF];
    return;
  }
  *out += "\\u{";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHex[(cp >> shift) & 0xF];
  *out += '}';
}

}  // namespace

std::string ShownText(std::string_view text, size_t max_chars) {
  const std::string valid = ToValidUtf8(text);
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < valid.size(); ++shown) {
    if (shown == max_chars) return out + "...";
    const size_t len = Utf8SequenceLength(valid, i);  // > 0: the text is valid
    const std::string_view seq(valid.data() + i, len);
    const uint32_t cp = CodePoint(seq);
    if (IsHidden(cp)) {
      AppendEscaped(cp, &out);
    } else {
      out.append(seq);
    }
    i += len;
  }
  return out;
}

}  // namespace arkwiki
