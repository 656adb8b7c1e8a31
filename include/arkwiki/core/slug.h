// Page slugs: the stable, URL-safe names of pages (/wiki/<slug>).
//
// A slug is 1..200 bytes of lowercase ASCII letters, digits, '-', '_' and
// any non-ASCII UTF-8 letters (so Unicode titles keep readable slugs). It
// never starts or ends with '-', and never contains '/', '.', '%', spaces or
// control characters, so it is safe as a path segment and as a file name.
// Nor does it contain characters that are invisible or reorder the text
// around them (zero-width characters, bidirectional controls, the soft
// hyphen, variation selectors, non-ASCII spaces: IsRefusedInSlug), so a
// slug that looks like another is the other. Slugify drops invisible
// characters and turns non-ASCII spaces into '-'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arkwiki {

// "Hello, World!" -> "hello-world". Returns "" when nothing usable remains.
std::string Slugify(std::string_view title);
bool IsValidSlug(std::string_view slug);
// True for a code point a slug may not contain although it is not ASCII.
bool IsRefusedInSlug(uint32_t code_point);
// True if `text` is well-formed UTF-8 with no overlongs or surrogates.
bool IsValidUtf8(std::string_view text);

}  // namespace arkwiki
