#include "arkwiki/backup/archive_format.h"

#include "arkwiki/core/hash.h"

namespace arkwiki {

std::string UploadEntryPath(const std::string& sha256) {
  return std::string(kUploadsPrefix) + sha256.substr(0, 2) + "/" + sha256;
}

std::string_view UploadEntryHash(std::string_view path) {
  constexpr std::string_view prefix = kUploadsPrefix;
  if (path.size() != prefix.size() + 3 + 64 || path.substr(0, prefix.size()) != prefix) {
    return {};
  }
  const std::string_view shard = path.substr(prefix.size(), 2);
  const std::string_view hash = path.substr(prefix.size() + 3);
  if (path[prefix.size() + 2] != '/' || !IsLowerHex(hash, 64) || hash.substr(0, 2) != shard) {
    return {};
  }
  return hash;
}

}  // namespace arkwiki
