// Counting a text's occurrences in another, for assertions.
#pragma once

#include <cstddef>
#include <string_view>

namespace arkwiki::testing {

// How often `needle` occurs in `haystack`, overlaps included.
inline size_t Occurrences(std::string_view haystack, std::string_view needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

}  // namespace arkwiki::testing
