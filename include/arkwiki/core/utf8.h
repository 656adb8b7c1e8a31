// UTF-8 repair for text that arrives from outside (query strings, headers)
// and goes back out in JSON or HTML, which must be well-formed UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace arkwiki {

// `text` with every byte that does not start a well-formed sequence (bad
// lead byte, truncated or overlong sequence, surrogate, above U+10FFFF)
// replaced by U+FFFD. Well-formed text comes back unchanged.
std::string ToValidUtf8(std::string_view text);

// The length of the well-formed sequence at text[pos], or 0 if the bytes
// there are not one.
size_t Utf8SequenceLength(std::string_view text, size_t pos);

}  // namespace arkwiki
