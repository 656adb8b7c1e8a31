// Trimming of ASCII white space (space, tab, CR, LF) at both ends, for
// text from forms, config lines and templates. Bytes of UTF-8 sequences
// are never white space here, so the result stays well-formed.
#pragma once

#include <string_view>

namespace arkwiki {

inline constexpr std::string_view kAsciiWhitespace = " \t\r\n";

constexpr std::string_view Trim(std::string_view text) {
  const size_t begin = text.find_first_not_of(kAsciiWhitespace);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kAsciiWhitespace) - begin + 1);
}

}  // namespace arkwiki
