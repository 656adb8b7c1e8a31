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

Status ManifestCutter::Cut(uint64_t at) {
  if (at > start_) {
    const auto n = static_cast<size_t>(at - start_);
    ARKWIKI_RETURN_IF_ERROR(emit_(std::string_view(buffer_).substr(0, n)));
    buffer_.erase(0, n);
    start_ = at;
  }
  records_ = 0;
  return Status::Ok();
}

// A chunk that would exceed the bound is cut before the line that makes it
// so, and a longer line at the bound. Applied as the line's bytes arrive,
// which cuts where applying it to the whole line would, as a line only
// grows.
Status ManifestCutter::Bound() {
  if (end() - start_ <= kMaxManifestChunkBytes) return Status::Ok();
  if (line_start_ > start_) ARKWIKI_RETURN_IF_ERROR(Cut(line_start_));
  while (end() - start_ > kMaxManifestChunkBytes) {
    ARKWIKI_RETURN_IF_ERROR(Cut(start_ + kMaxManifestChunkBytes));
  }
  return Status::Ok();
}

Status ManifestCutter::EndLine() {
  // Whole lines compared only when short enough to be held whole.
  const bool whole = line_size_ == line_head_.size();
  const auto is = [&](std::string_view text) { return whole && line_head_ == text; };
  if (in_files_ && is(kFilesClose)) {
    in_files_ = false;
    ARKWIKI_RETURN_IF_ERROR(Cut(line_start_));
  }
  ARKWIKI_RETURN_IF_ERROR(Bound());
  if (!in_files_ && is(kFilesOpen)) {
    in_files_ = true;
    ARKWIKI_RETURN_IF_ERROR(Cut(end()));
  } else if (in_files_ && line_head_.compare(0, kHashKey.size(), kHashKey) == 0) {
    hash_line_ = line_head_;
  } else if (in_files_ && (is("  },\n") || is("  }\n"))) {
    ++records_;
    if (records_ >= kMaxManifestChunkRecords ||
        (records_ >= kMinManifestChunkRecords && CutsByHash(hash_line_))) {
      ARKWIKI_RETURN_IF_ERROR(Cut(end()));
    }
  }
  line_start_ = end();
  line_head_.clear();
  line_size_ = 0;
  return Status::Ok();
}

Status ManifestCutter::Add(std::string_view piece) {
  // At most this much of a line is kept to tell its kind: more than the
  // longest line compared whole and the sha256 line up to its value's end.
  constexpr size_t kLineHead = 128;
  while (!piece.empty()) {
    // Up to the end of a line, and never more than a chunk at once.
    const size_t eol = piece.find('\n');
    const size_t n = std::min<size_t>(eol == std::string_view::npos ? piece.size() : eol + 1,
                                      kMaxManifestChunkBytes);
    const std::string_view part = piece.substr(0, n);
    buffer_.append(part);
    if (line_head_.size() < kLineHead) {
      line_head_.append(part.substr(0, kLineHead - line_head_.size()));
    }
    line_size_ += n;
    piece.remove_prefix(n);
    if (part.back() == '\n') {
      ARKWIKI_RETURN_IF_ERROR(EndLine());
    } else {
      ARKWIKI_RETURN_IF_ERROR(Bound());
    }
  }
  return Status::Ok();
}

std::vector<std::string_view> CutManifest(std::string_view text) {
  std::vector<std::string_view> chunks;
  size_t at = 0;
  ManifestCutter cutter([&](std::string_view chunk) {
    chunks.push_back(text.substr(at, chunk.size()));
    at += chunk.size();
    return Status::Ok();
  });
  (void)cutter.Add(text);  // emit never fails
  (void)cutter.Finish();
  return chunks;
}

}  // namespace arkwiki
