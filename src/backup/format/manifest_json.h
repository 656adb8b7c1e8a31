// The small piece of JSON that manifest.json needs, written and read
// without building a document tree.
//
// Why not Poco::JSON here: its DOM costs about 3 KB per listed file (an
// Object, a Var per field, a stringstream), which made the manifest of a
// 50,000-file backup the largest thing in memory (146 MiB peak RSS) and 21%
// of the instructions of a create (benchmarks/README.md). The manifest is a
// fixed, flat shape, so a writer that appends to one string and a pull
// reader that walks the text once are all it takes: a few hundred bytes per
// file, held only in the Manifest itself.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/core/status.h"

namespace arkwiki::manifest_json {

// Length of manifest_sha256, in lowercase hex digits.
inline constexpr size_t kHashHexLen = 64;

// Appends `s` as a JSON string literal: '"' and '\' escaped, control
// characters as \b \f \n \r \t or \u00XX; everything else (UTF-8 included)
// byte for byte, as Poco's Stringifier wrote it.
void AppendString(std::string* out, std::string_view s);

// Where a streaming Reader gets its text: appends up to `max` more bytes to
// `out` and returns how many; 0 at the end.
using TextSource = std::function<Result<size_t>(size_t max, std::string* out)>;

// A pull reader over RFC 8259 text. Every error is Corruption, names
// manifest.json and the byte offset, and leaves the reader unusable.
// Nesting deeper than kMaxDepth is refused, so hostile input cannot exhaust
// the stack.
//
// Streaming: over a TextSource the reader holds a window of about
// 2 x kLookahead bytes, refilled before each token, so memory stays flat
// whatever the length of the text (the manifest of 200,000 files is ~40 MB).
// A string longer than kLookahead is refused, streaming or not (arkwiki's
// longest are settings of at most a few hundred bytes). Offsets (in errors and
// String's raw_begin/raw_end) count from the start of the whole text.
class Reader {
 public:
  static constexpr int kMaxDepth = 32;
  static constexpr size_t kLookahead = kMaxManifestStringBytes;

  explicit Reader(std::string_view text) : text_(text) {}
  explicit Reader(TextSource source) : source_(std::move(source)), eof_(false) {}

  // The source's error, if reading the text failed: it explains a syntax
  // error that the cut-off text then produced.
  const Status& source_error() const { return source_error_; }

  // Skips whitespace; true (and consumes it) if the next byte is `c`.
  bool Consume(char c);
  // Skips whitespace and requires `c`.
  Status Expect(char c);
  // The kind of the next value, after whitespace: '"', '{', '[', 'n' (a
  // number), 'l' (true, false or null), or 0 at the end / on a bad byte.
  char PeekKind();
  // A string value, unescaped into `out` (valid UTF-8 required, surrogate
  // pairs joined). `raw_begin`/`raw_end`, when set, receive the offsets of
  // the bytes between the quotes as they stand in the text.
  Status String(std::string* out, size_t* raw_begin = nullptr, size_t* raw_end = nullptr);
  // A number. `is_integer` tells whether it is a plain integer (no
  // fraction or exponent) that fits an int64_t; `*value` is set only then.
  Status Number(bool* is_integer, int64_t* value);
  // Any value, checked and discarded.
  Status Skip() { return SkipValue(); }
  // Only whitespace may remain.
  Status End();

  // Walks an object: `{`, then for every member calls on_member(key) with
  // the reader positioned on the value (which the callback must consume),
  // then `}`. Refuses a key that appears twice in the object.
  template <class OnMember>
  Status Object(OnMember&& on_member);
  // Walks an array: on_element(index) for each element, reader on it.
  template <class OnElement>
  Status Array(OnElement&& on_element);

  Status Error(const std::string& what) const;

 private:
  void SkipSpace();
  void Fill();         // streaming: at least kLookahead bytes ahead unless at the end
  Status SkipValue();  // recursion bounded by Object/Array's depth check
  Status Literal(std::string_view word);
  Status Hex4(uint32_t* out);
  Status Escape(std::string* out);

  std::string_view text_;
  size_t pos_ = 0;
  // Streaming only: the window text_ views, and its offset in the text.
  TextSource source_;
  std::string window_;
  uint64_t base_ = 0;
  bool eof_ = true;
  Status source_error_;
  int depth_ = 0;  // open objects/arrays (Object, Array)
};

template <class OnMember>
Status Reader::Object(OnMember&& on_member) {
  ARKWIKI_RETURN_IF_ERROR(Expect('{'));
  if (++depth_ > kMaxDepth) return Error("nesting is too deep");
  std::vector<std::string> seen;  // manifest objects have a handful of keys
  std::string key;
  if (!Consume('}')) {
    do {
      ARKWIKI_RETURN_IF_ERROR(String(&key));
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return Error("key '" + key.substr(0, 64) + "' appears twice in one object");
      }
      seen.push_back(key);
      ARKWIKI_RETURN_IF_ERROR(Expect(':'));
      ARKWIKI_RETURN_IF_ERROR(on_member(key));
    } while (Consume(','));
    ARKWIKI_RETURN_IF_ERROR(Expect('}'));
  }
  --depth_;
  return Status::Ok();
}

template <class OnElement>
Status Reader::Array(OnElement&& on_element) {
  ARKWIKI_RETURN_IF_ERROR(Expect('['));
  if (++depth_ > kMaxDepth) return Error("nesting is too deep");
  if (!Consume(']')) {
    size_t index = 0;
    do {
      ARKWIKI_RETURN_IF_ERROR(on_element(index++));
    } while (Consume(','));
    ARKWIKI_RETURN_IF_ERROR(Expect(']'));
  }
  --depth_;
  return Status::Ok();
}

}  // namespace arkwiki::manifest_json
