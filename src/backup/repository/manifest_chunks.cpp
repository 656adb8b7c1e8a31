#include "repository/manifest_chunks.h"

#include <algorithm>

namespace arkwiki {
namespace {

constexpr std::string_view kFilesOpen = " \"files\": [\n";
constexpr std::string_view kFilesClose = " ],\n";
constexpr std::string_view kHashKey = R"(   "sha256": ")";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// True when the record whose sha256 line is `hash_line` ends a chunk by its
// hash: the last byte of the 64-digit value has its low kManifestCutBits
// bits zero. The last byte, not the first: the uploads' records are sorted
// by hash, so neighbours share their first bytes (about 78 records a first
// byte at 20,000 uploads), and a rule on the first byte would cut a run of
// neighbours all alike.
bool CutsByHash(std::string_view hash_line) {
  constexpr size_t kLast = kHashKey.size() + 62;  // the value's last two digits
  if (hash_line.size() < kLast + 3 || hash_line[kLast + 2] != '"') return false;
  const int high = HexValue(hash_line[kLast]);
  const int low = HexValue(hash_line[kLast + 1]);
  if (high < 0 || low < 0) return false;
  const int last = (high << 4) | low;
  return (last & ((1 << kManifestCutBits) - 1)) == 0;
}

}  // namespace

std::vector<std::string_view> CutManifest(std::string_view text) {
  std::vector<std::string_view> chunks;
  size_t start = 0;
  int records = 0;
  const auto cut = [&](size_t end) {
    if (end > start) chunks.push_back(text.substr(start, end - start));
    start = end;
    records = 0;
  };
  bool in_files = false;
  std::string_view hash_line;
  for (size_t pos = 0; pos < text.size();) {
    const size_t eol = text.find('\n', pos);
    const size_t next = eol == std::string_view::npos ? text.size() : eol + 1;
    const std::string_view line = text.substr(pos, next - pos);
    if (in_files && line == kFilesClose) {
      in_files = false;
      cut(pos);
    }
    if (next - start > kMaxManifestChunkBytes) {
      if (pos > start) cut(pos);
      while (next - start > kMaxManifestChunkBytes) cut(start + kMaxManifestChunkBytes);
    }
    if (!in_files && line == kFilesOpen) {
      in_files = true;
      cut(next);
    } else if (in_files && line.substr(0, kHashKey.size()) == kHashKey) {
      hash_line = line;
    } else if (in_files && (line == "  },\n" || line == "  }\n")) {
      ++records;
      if (records >= kMaxManifestChunkRecords ||
          (records >= kMinManifestChunkRecords && CutsByHash(hash_line))) {
        cut(next);
      }
    }
    pos = next;
  }
  cut(text.size());
  return chunks;
}

}  // namespace arkwiki
