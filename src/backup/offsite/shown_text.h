// Text that a target chose (an S3 error's <Code> and <Message>, a redirect's
// Location, a key from a listing, an exception's text quoting an answer)
// made fit to show: messages built from it reach the CLI, the journal, the
// JSON API and Settings, where raw control characters could rewrite a
// terminal or a log line and a long text could bury the real message.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace arkwiki {

// The most characters of target text a message quotes.
inline constexpr size_t kMaxShownChars = 200;

// `text` as well-formed UTF-8 (a bad byte becomes U+FFFD), with C0 and C1
// control characters, DEL and the invisible Unicode format characters
// (bidirectional overrides and isolates, zero-width characters, line and
// paragraph separators, BOM) written as \xNN or \u{NNNN}, cut after
// `max_chars` characters with "..." added. Pure and thread-safe.
std::string ShownText(std::string_view text, size_t max_chars = kMaxShownChars);

}  // namespace arkwiki
