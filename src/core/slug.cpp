#include "arkwiki/core/slug.h"

#include <cstdint>

#include "arkwiki/core/utf8.h"

namespace arkwiki {
namespace {

struct CodePointRange {
  uint32_t first;
  uint32_t last;
};

// Characters that draw nothing, or reorder what is drawn around them, so two
// slugs that look alike could name different pages: C1 controls, format
// and bidirectional controls (U+200E/F, U+202A-202E, U+2066-2069), joiners,
// fillers, variation selectors, tags and the byte-order mark.
constexpr CodePointRange kInvisible[] = {
    {0x0080, 0x009F},   {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x061C, 0x061C}, {0x115F, 0x1160},
    {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x200B, 0x200F},   {0x202A, 0x202E}, {0x2060, 0x206F},
    {0x3164, 0x3164},   {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFB},
    {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

// Spaces outside ASCII: a title's word separators, never part of a slug.
constexpr CodePointRange kSpaces[] = {
    {0x00A0, 0x00A0}, {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029},
    {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000},
};

template <size_t N>
bool InRanges(const CodePointRange (&ranges)[N], uint32_t cp) {
  for (const CodePointRange& r : ranges) {
    if (cp >= r.first && cp <= r.last) return true;
  }
  return false;
}

// The code point of the well-formed sequence of `len` bytes at s[i].
uint32_t DecodeAt(std::string_view s, size_t i, size_t len) {
  static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  uint32_t cp = static_cast<unsigned char>(s[i]) & kLeadMask[len];
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

}  // namespace

bool IsRefusedInSlug(uint32_t code_point) {
  return InRanges(kInvisible, code_point) || InRanges(kSpaces, code_point);
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string Slugify(std::string_view title) {
  std::string out;
  bool pending_dash = false;
  for (size_t i = 0; i < title.size();) {
    auto c = static_cast<unsigned char>(title[i]);
    const size_t len = c >= 0x80 ? Utf8SequenceLength(title, i) : 0;
    if (len > 1) {
      const uint32_t cp = DecodeAt(title, i, len);
      i += len;
      if (InRanges(kSpaces, cp)) pending_dash = !out.empty();
      if (IsRefusedInSlug(cp)) continue;  // invisible ones vanish without a dash
      if (pending_dash) out += '-';
      pending_dash = false;
      out.append(title.substr(i - len, len));
    } else {
      ++i;
      bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<unsigned char>(c - 'A' + 'a');
        keep = true;
      }
      if (!keep) {
        pending_dash = !out.empty();
        continue;
      }
      if (pending_dash) out += '-';
      pending_dash = false;
      out += static_cast<char>(c);
    }
    if (out.size() >= 200) break;
  }
  // Never cut a multi-byte character in half.
  if (out.size() > 200) out.resize(200);
  while (!out.empty() && !IsValidUtf8(out)) out.pop_back();
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 200 || slug.front() == '-' || slug.back() == '-') {
    return false;
  }
  if (!IsValidUtf8(slug)) return false;
  for (size_t i = 0; i < slug.size();) {
    auto c = static_cast<unsigned char>(slug[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(slug, i);
      if (IsRefusedInSlug(DecodeAt(slug, i, len))) return false;
      i += len;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
    ++i;
  }
  return true;
}

}  // namespace arkwiki
