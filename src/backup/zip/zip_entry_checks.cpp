#include "zip/zip_entry_checks.h"

#include <sys/stat.h>

#include <cstdio>

#include "zip/zip_canonical.h"
#include "zip/zip_format.h"
#include "zip/zip_names.h"

namespace arkwiki::zip {
namespace {

// Flag bits a backup entry may carry: 1-2 (deflate speed hint), 3 (data
// descriptor), 11 (UTF-8). Anything else changes how the data must be read.
constexpr uint16_t kAllowedFlags = (1u << 1) | (1u << 2) | kZipFlagDataDescriptor | kZipFlagUtf8;
constexpr uint8_t kMadeByMacOsX = 19;  // also stores st_mode like Unix
constexpr uint32_t kDosDirectoryBit = 0x10;

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

std::string Octal(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0%o", v);
  return buf;
}

const char* FileTypeWord(uint32_t type) {
  switch (type) {
    case S_IFLNK:
      return "a symbolic link";
    case S_IFDIR:
      return "a directory";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFIFO:
      return "a FIFO";
    case S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

}  // namespace

Status CheckEntryFeatures(const ZipEntry& e) {
  if ((e.flags & (kZipFlagEncrypted | kZipFlagStrongEncryption)) != 0 || e.method == 99) {
    return Status::Unsupported(EntryMessage(e.name,
                                            "is encrypted; backups are never encrypted "
                                            "inside the ZIP"));
  }
  if ((e.flags & ~kAllowedFlags) != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "uses unsupported ZIP flags 0x%04x",
                  static_cast<unsigned>(e.flags & ~kAllowedFlags));
    return Status::Unsupported(EntryMessage(e.name, buf));
  }
  if (e.method != kZipMethodStore && e.method != kZipMethodDeflate) {
    return Status::Unsupported(
        EntryMessage(e.name, "uses compression method " + std::to_string(e.method) +
                                 "; only 0 (store) and 8 (deflate) are supported"));
  }
  if ((e.flags & kZipFlagUtf8) == 0 && !IsAscii(e.name)) {
    return Status::InvalidArgument(
        EntryMessage(e.name, "name is not ASCII and not marked as UTF-8"));
  }
  return Status::Ok();
}

Status CheckEntryFileType(const ZipEntry& e) {
  if ((e.external_attrs & kDosDirectoryBit) != 0) {
    return Status::InvalidArgument(
        EntryMessage(e.name, "is a directory; a backup holds only files"));
  }
  if (e.made_by_os != kZipMadeByUnix && e.made_by_os != kMadeByMacOsX) return Status::Ok();
  const uint32_t mode = e.external_attrs >> 16;
  const uint32_t type = mode & S_IFMT;
  if (type == 0 || type == S_IFREG) return Status::Ok();  // 0: no type recorded
  return Status::InvalidArgument(EntryMessage(e.name, std::string("is ") + FileTypeWord(type) +
                                                          " (mode " + Octal(mode) +
                                                          "); a backup holds only regular files"));
}

Status CheckEntrySizes(const ZipEntry& e, const ZipLimits& limits) {
  if (e.method == kZipMethodStore && e.compressed_size != e.uncompressed_size) {
    return Status::Corruption(EntryMessage(
        e.name, "is stored but declares " + std::to_string(e.compressed_size) + " compressed and " +
                    std::to_string(e.uncompressed_size) + " uncompressed bytes"));
  }
  if (e.uncompressed_size > limits.max_entry_bytes) {
    return Status::TooLarge(EntryMessage(e.name, "declares " + std::to_string(e.uncompressed_size) +
                                                     " bytes, over the per-entry limit of " +
                                                     std::to_string(limits.max_entry_bytes)));
  }
  // Canonical (backup) archives: deflate's own bound, for every entry; the
  // declared size caps the output (see ZipLimits::require_canonical).
  const double max_ratio = limits.require_canonical ? kDeflateMaxRatio : limits.max_ratio;
  const uint64_t exempt = limits.require_canonical ? 0 : limits.ratio_exempt_bytes;
  if (e.uncompressed_size >= exempt && e.uncompressed_size > 0 &&
      static_cast<double>(e.uncompressed_size) >
          max_ratio * static_cast<double>(e.compressed_size)) {
    return Status::TooLarge(
        EntryMessage(e.name, "would expand " + std::to_string(e.compressed_size) + " bytes to " +
                                 std::to_string(e.uncompressed_size) +
                                 ", over the compression ratio limit (possible zip bomb)"));
  }
  return Status::Ok();
}

}  // namespace arkwiki::zip
