// Builds ZIP bytes by hand, including malformed and hostile ones, for the
// reader's tests: any name, attributes, method or flags; local headers that
// disagree with the central directory; lying sizes and CRCs; prepended or
// trailing junk; ZIP64 records; deflate bombs. Nothing here validates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace arkwiki::testing {

struct CraftEntry {
  std::string name;
  std::string data;                // uncompressed content
  uint16_t method = 0;             // 8: deflated here; anything else: `data` as is
  std::optional<std::string> raw;  // exact bytes placed as the entry's data
  uint16_t flags = 0x0800;         // UTF-8
  bool data_descriptor = false;    // sets bit 3, zero local CRC/sizes, writes a descriptor
  bool descriptor_signature = true;
  bool zip64 = false;      // ZIP64 extras in both headers, 64-bit descriptor
  uint8_t made_by_os = 3;  // Unix
  uint32_t external_attrs = 0100644u << 16;
  // Lies, applied to both headers (and the descriptor) unless noted.
  std::optional<uint32_t> crc;
  std::optional<uint64_t> declared_uncompressed;
  std::optional<uint64_t> declared_compressed;
  // Local header only.
  std::optional<std::string> local_name;
  std::optional<uint16_t> local_flags;
  std::optional<uint16_t> local_method;
  std::optional<uint32_t> descriptor_crc;  // descriptor only
  std::optional<uint64_t> local_offset;    // central directory only
};

struct CraftOptions {
  std::string prefix;                  // bytes before the first entry
  bool offsets_include_prefix = true;  // like a self-extracting stub
  std::string suffix;                  // bytes after the end record
  std::string comment;
  std::optional<uint16_t> declared_comment_length;
  bool zip64_end = false;      // ZIP64 end record + locator
  bool saturate_eocd = false;  // with zip64_end: 0xFFFF/0xFFFFFFFF in the EOCD
  std::optional<uint64_t> declared_entry_count;
  std::optional<uint64_t> declared_cd_offset;
  std::optional<uint64_t> declared_cd_size;
};

struct CraftedZip {
  std::string bytes;
  std::vector<uint64_t> local_offsets;  // positions in `bytes`
  uint64_t cd_offset = 0;               // position in `bytes`
  uint64_t cd_size = 0;
  uint64_t eocd_offset = 0;
};

CraftedZip CraftZip(const std::vector<CraftEntry>& entries, const CraftOptions& options = {});

// Raw deflate (no zlib header), as ZIP stores it.
std::string RawDeflate(std::string_view data, int level = 6);
// Raw deflate of `n` zero bytes, without holding them in memory.
std::string DeflatedZeros(uint64_t n);
uint32_t Crc32(std::string_view data);

// File helpers for tests; they abort the test process on failure.
void WriteFileOrDie(const std::string& path, std::string_view bytes);
std::string ReadFileOrDie(const std::string& path);

// Runs `command` through /bin/sh, capturing stdout and stderr together.
// Returns the exit status (-1 if it could not run).
int RunCommand(const std::string& command, std::string* output = nullptr);
std::string ShellQuote(const std::string& s);

}  // namespace arkwiki::testing
