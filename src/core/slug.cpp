#include "arkwiki/core/slug.h"

#include "arkwiki/core/utf8.h"

namespace arkwiki {

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
  for (const char ch : title) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
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
    if (out.size() >= 200) break;
  }
  // Never cut a multi-byte character in half.
  while (!out.empty() && !IsValidUtf8(out)) out.pop_back();
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

bool IsValidSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 200 || slug.front() == '-' || slug.back() == '-') {
    return false;
  }
  for (char ch : slug) {
    auto c = static_cast<unsigned char>(ch);
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c >= 0x80;
    if (!ok) return false;
  }
  return IsValidUtf8(slug);
}

}  // namespace arkwiki
