// Damaging a stored file in place, as bit rot would (test support).
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace arkwiki::testing {

// Flips the lowest bit of the byte at `offset` of the file at `path`.
inline void FlipByteAt(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  char c = 0;
  f.seekg(static_cast<std::streamoff>(offset));
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x01));
}

}  // namespace arkwiki::testing
