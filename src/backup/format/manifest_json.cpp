// Streaming JSON for manifest.json; why not Poco::JSON: see the header.
#include "format/manifest_json.h"

#include <cstdio>
#include <limits>

#include "arkwiki/core/slug.h"

namespace arkwiki::manifest_json {

void AppendString(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t plain = 0;  // start of the bytes that need no escape, appended in one go
  for (size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\') continue;
    out->append(s.substr(plain, i - plain));
    plain = i + 1;
    switch (s[i]) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[u >> 4]);
        out->push_back(kHex[u & 0xF]);
    }
  }
  out->append(s.substr(plain));
  out->push_back('"');
}

Status Reader::Error(const std::string& what) const {
  return Status::Corruption("manifest.json is not valid JSON: " + what + " (at byte " +
                            std::to_string(base_ + pos_) + ")");
}

// Called only between tokens (SkipSpace), so no token in progress holds a
// position in the part of the window that is dropped.
void Reader::Fill() {
  // kLookahead of string content, plus its quotes and a final escape: a
  // string is refused at the same length whether streamed or not.
  constexpr size_t kAhead = kLookahead + 64;
  if (eof_ || text_.size() - pos_ >= kAhead) return;
  window_.erase(0, pos_);
  base_ += pos_;
  pos_ = 0;
  while (!eof_ && window_.size() < 2 * kAhead) {
    Result<size_t> n = source_(2 * kAhead - window_.size(), &window_);
    if (!n.ok()) source_error_ = n.status();
    if (!n.ok() || *n == 0) eof_ = true;
  }
  text_ = window_;
}

void Reader::SkipSpace() {
  for (;;) {
    Fill();
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
    if (eof_) return;
  }
}

bool Reader::Consume(char c) {
  SkipSpace();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

Status Reader::Expect(char c) {
  if (Consume(c)) return Status::Ok();
  if (pos_ >= text_.size()) return Error(std::string("expected '") + c + "' but the text ends");
  return Error(std::string("expected '") + c + "'");
}

char Reader::PeekKind() {
  SkipSpace();
  if (pos_ >= text_.size()) return 0;
  const char c = text_[pos_];
  if (c == '"' || c == '{' || c == '[') return c;
  if (c == '-' || (c >= '0' && c <= '9')) return 'n';
  if (c == 't' || c == 'f' || c == 'n') return 'l';
  return 0;
}

Status Reader::Hex4(uint32_t* out) {
  if (text_.size() - pos_ < 4) return Error("\\u escape is cut off");
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = text_[pos_++];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= static_cast<uint32_t>(c - 'A' + 10);
    else
      return Error("bad \\u escape");
  }
  *out = v;
  return Status::Ok();
}

namespace {

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// After the backslash.
Status Reader::Escape(std::string* out) {
  if (pos_ >= text_.size()) return Error("escape is cut off");
  const char c = text_[pos_++];
  switch (c) {
    case '"':
      out->push_back('"');
      return Status::Ok();
    case '\\':
      out->push_back('\\');
      return Status::Ok();
    case '/':
      out->push_back('/');
      return Status::Ok();
    case 'b':
      out->push_back('\b');
      return Status::Ok();
    case 'f':
      out->push_back('\f');
      return Status::Ok();
    case 'n':
      out->push_back('\n');
      return Status::Ok();
    case 'r':
      out->push_back('\r');
      return Status::Ok();
    case 't':
      out->push_back('\t');
      return Status::Ok();
    case 'u':
      break;
    default:
      return Error("unknown escape");
  }
  uint32_t cp = 0;
  ARKWIKI_RETURN_IF_ERROR(Hex4(&cp));
  if (cp >= 0xDC00 && cp <= 0xDFFF) return Error("lone low surrogate");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low = 0;
    if (text_.substr(pos_, 2) != "\\u") return Error("lone high surrogate");
    pos_ += 2;
    ARKWIKI_RETURN_IF_ERROR(Hex4(&low));
    if (low < 0xDC00 || low > 0xDFFF) return Error("lone high surrogate");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  AppendUtf8(out, cp);
  return Status::Ok();
}

Status Reader::String(std::string* out, size_t* raw_begin, size_t* raw_end) {
  ARKWIKI_RETURN_IF_ERROR(Expect('"'));
  out->clear();
  const size_t begin = pos_;
  for (;;) {
    // Copy the run up to the next quote, backslash or control byte at once.
    size_t run = pos_;
    while (run < text_.size()) {
      const auto u = static_cast<unsigned char>(text_[run]);
      if (u == '"' || u == '\\' || u < 0x20) break;
      ++run;
    }
    // The same limit whether streaming or not (a window holds at least
    // this much of a string).
    if (run - begin > kLookahead) {
      return Error("string is longer than " + std::to_string(kLookahead) + " bytes");
    }
    out->append(text_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ >= text_.size()) return Error("string is not closed");
    const char c = text_[pos_++];
    if (c == '"') break;
    if (c != '\\') return Error("control character inside a string");
    ARKWIKI_RETURN_IF_ERROR(Escape(out));
  }
  if (!IsValidUtf8(*out)) return Error("string is not valid UTF-8");
  if (raw_begin != nullptr) *raw_begin = base_ + begin;
  if (raw_end != nullptr) *raw_end = base_ + pos_ - 1;
  return Status::Ok();
}

Status Reader::Number(bool* is_integer, int64_t* value) {
  SkipSpace();
  auto digits = [&] {
    const size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ - from;
  };
  const bool negative = pos_ < text_.size() && text_[pos_] == '-';
  if (negative) ++pos_;
  const size_t int_start = pos_;
  const size_t n = digits();
  if (n == 0) return Error("bad number");
  if (n > 1 && text_[int_start] == '0') return Error("number with a leading zero");
  bool integer = true;
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) return Error("bad number");
    integer = false;
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
    if (digits() == 0) return Error("bad number");
    integer = false;
  }
  *is_integer = false;
  if (!integer) return Status::Ok();
  // Accumulate negatively so that INT64_MIN fits; overflow is "not an integer".
  int64_t v = 0;
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  for (size_t i = int_start; i < int_start + n; ++i) {
    const int d = text_[i] - '0';
    if (v < (kMin + d) / 10) return Status::Ok();
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == kMin) return Status::Ok();
    v = -v;
  }
  *is_integer = true;
  *value = v;
  return Status::Ok();
}

Status Reader::Literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Error("unexpected text");
  pos_ += word.size();
  return Status::Ok();
}

Status Reader::SkipValue() {
  std::string scratch;
  switch (PeekKind()) {
    case '"':
      return String(&scratch);
    case 'n': {
      bool integer = false;
      int64_t v = 0;
      return Number(&integer, &v);
    }
    case 'l': {
      const char c = text_[pos_];
      return Literal(c == 't' ? "true" : c == 'f' ? "false" : "null");
    }
    case '{':
      return Object([&](const std::string&) { return SkipValue(); });
    case '[':
      return Array([&](size_t) { return SkipValue(); });
    default:
      return pos_ >= text_.size() ? Error("the text ends where a value should be")
                                  : Error("unexpected character");
  }
}

Status Reader::End() {
  SkipSpace();
  if (pos_ != text_.size()) return Error("text after the end of the object");
  return Status::Ok();
}

}  // namespace arkwiki::manifest_json
