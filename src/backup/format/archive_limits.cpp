#include "arkwiki/backup/archive_limits.h"

#include <string>
#include <string_view>

#include "arkwiki/core/slug.h"
#include "format/archive_limits_store.h"
#include "format/manifest_json.h"

namespace arkwiki {
namespace {

constexpr char kNotWritten[] = "; no backup was written";

// Bytes an entry adds to the archive beyond its data, with room to spare:
// local header, ZIP64 extra, data descriptor and central record (about 160
// bytes) plus the name twice, and its record in manifest.json (under 200).
constexpr uint64_t kEntryOverheadBytes = 1024;
// Deflate can grow incompressible input by a few bytes per block; 1/256 is
// far above that.
constexpr uint64_t kDeflateGrowthDivisor = 256;

Status CheckString(std::string_view field, std::string_view value) {
  if (!IsValidUtf8(value)) {
    return Status::InvalidArgument("the " + std::string(field) +
                                   " is not valid UTF-8, which a backup's manifest.json may not "
                                   "hold" +
                                   kNotWritten);
  }
  std::string escaped;
  manifest_json::AppendString(&escaped, value);
  const size_t length = escaped.size() - 2;  // without the quotes
  if (length > kMaxManifestStringBytes) {
    return Status::TooLarge("the " + std::string(field) + " is " + std::to_string(length) +
                            " bytes in manifest.json, more than the " +
                            std::to_string(kMaxManifestStringBytes) + " bytes an import accepts" +
                            kNotWritten);
  }
  return Status::Ok();
}

Status CheckStrings(const Manifest& m) {
  ARKWIKI_RETURN_IF_ERROR(CheckString("app_version", m.app_version));
  ARKWIKI_RETURN_IF_ERROR(CheckString("created_at", m.created_at));
  ARKWIKI_RETURN_IF_ERROR(CheckString("site title", m.site_title));
  ARKWIKI_RETURN_IF_ERROR(CheckString("base URL", m.base_url));
  return CheckString("instance id", m.instance_id);
}

Status CheckEntry(const ManifestFileStore::File& f, const ZipLimits& limits) {
  if (f.size > limits.max_entry_bytes) {
    return Status::TooLarge(f.Get().path + " is " + std::to_string(f.size) +
                            " bytes, more than one entry of an archive an import accepts (" +
                            std::to_string(limits.max_entry_bytes) + ")" + kNotWritten);
  }
  // Uploads are named by their hash (short, plain ASCII); only other
  // entries need their name checked.
  if (f.upload_hash != nullptr) return Status::Ok();
  const ManifestFile file = f.Get();
  if (file.path.size() > limits.max_name_bytes) {
    return Status::InvalidArgument("the entry name " + file.path + " is longer than " +
                                   std::to_string(limits.max_name_bytes) + " bytes" + kNotWritten);
  }
  ARKWIKI_RETURN_IF_ERROR(CheckString("entry name", file.path));
  return CheckString("checksum of " + file.path, file.sha256);
}

}  // namespace

Status CheckArchiveLimits(const Manifest& manifest, const ZipLimits& limits) {
  return CheckArchiveLimits(manifest, ManifestFileStore::Of(manifest.files), limits);
}

Status CheckArchiveLimits(const Manifest& header, const ManifestFileStore& files,
                          const ZipLimits& limits) {
  if (files.size() + 1 > limits.max_entries) {  // + manifest.json
    return Status::TooLarge("the wiki holds " + std::to_string(files.size() - 2) +
                            " upload files, more than a backup archive may hold (" +
                            std::to_string(limits.max_entries - 3) +
                            ", the limit an import enforces)" + kNotWritten);
  }
  ARKWIKI_RETURN_IF_ERROR(CheckStrings(header));
  uint64_t total = 0;
  ManifestFileStore::Cursor cursor = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) break;
    ARKWIKI_RETURN_IF_ERROR(CheckEntry(*f, limits));
    total += f->size;
  }
  const uint64_t strings = header.site_title.size() + header.base_url.size() +
                           header.instance_id.size() + header.app_version.size();
  const uint64_t manifest_bytes = (files.size() + 1) * kEntryOverheadBytes + 6 * strings;
  total += manifest_bytes;
  if (total > limits.max_total_bytes) {
    return Status::TooLarge("the backup would hold " + std::to_string(total) +
                            " bytes, more than an import accepts (" +
                            std::to_string(limits.max_total_bytes) + ")" + kNotWritten);
  }
  const uint64_t archive_bound =
      total + total / kDeflateGrowthDivisor + (files.size() + 1) * kEntryOverheadBytes;
  if (archive_bound > limits.max_archive_bytes) {
    return Status::TooLarge("the backup archive could reach " + std::to_string(archive_bound) +
                            " bytes, more than an import accepts (" +
                            std::to_string(limits.max_archive_bytes) + ")" + kNotWritten);
  }
  return Status::Ok();
}

}  // namespace arkwiki
