#include "verify/archive_checks.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "zip/zip_format.h"
#include "zip/zip_names.h"

namespace arkwiki {
namespace {

// Indices of the manifest's upload files, sorted by hash. Four bytes per
// file where a set of names cost ~40 (peak RSS at 200,000 files).
std::vector<uint32_t> UploadsByHash(const ManifestFiles& files) {
  std::vector<uint32_t> order;
  order.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (files.UploadHashAt(i) != nullptr) order.push_back(static_cast<uint32_t>(i));
  }
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return *files.UploadHashAt(a) < *files.UploadHashAt(b);
  });
  return order;
}

std::string UploadPathOf(const Sha256Raw& sha) {
  return UploadEntryPath(HexEncode(sha.data(), sha.size()));
}

Status CheckManifestPaths(const Manifest& manifest) {
  const ManifestFiles& files = manifest.files;
  bool has_db = false, has_settings = false;
  for (size_t i = 0; i < files.size(); ++i) {
    if (files.UploadHashAt(i) != nullptr) continue;  // named by its hash: checked below
    const ManifestFile f = files[i];
    bool* seen = f.path == kDatabasePath   ? &has_db
                 : f.path == kSettingsPath ? &has_settings
                                           : nullptr;
    if (seen != nullptr && *seen) {
      return Status::Corruption("manifest.json lists " + f.path + " twice");
    }
    if (seen != nullptr) {
      *seen = true;
    } else if (UploadEntryHash(f.path).empty()) {
      return Status::Corruption("manifest.json lists " + f.path +
                                ", which has no place in an arkwiki backup");
    } else {  // an upload path whose hash field differs from its name
      return Status::Corruption(f.path + " is not named by its own SHA-256 in the manifest");
    }
  }
  const std::vector<uint32_t> order = UploadsByHash(files);
  if (manifest.partial() && !order.empty()) {  // only "uploads" can be omitted (manifest_parser)
    return Status::Corruption(
        "the manifest says the archive leaves out the uploads, but it lists " +
        UploadPathOf(*files.UploadHashAt(order[0])) +
        ": a partial archive may not carry upload files");
  }
  for (size_t k = 1; k < order.size(); ++k) {
    const Sha256Raw& sha = *files.UploadHashAt(order[k]);
    if (sha == *files.UploadHashAt(order[k - 1])) {
      return Status::Corruption("manifest.json lists " + UploadPathOf(sha) + " twice");
    }
  }
  if (!has_db)
    return Status::Corruption("the backup has no database (" + std::string(kDatabasePath) + ")");
  if (!has_settings) return Status::Corruption("the backup has no " + std::string(kSettingsPath));
  return Status::Ok();
}

}  // namespace

Status CheckManifestByteCount(const Manifest& manifest) {
  uint64_t sum = 0;
  for (size_t i = 0; i < manifest.files.size(); ++i) sum += manifest.files.SizeAt(i);
  if (manifest.counts.bytes < 0 || static_cast<uint64_t>(manifest.counts.bytes) != sum) {
    return Status::Corruption("manifest.json: counts.bytes is " +
                              std::to_string(manifest.counts.bytes) + " but its files add up to " +
                              std::to_string(sum) + " bytes");
  }
  return Status::Ok();
}

// Why entry `name` does not belong where it stands, found by a search of
// the whole manifest: only on the way to a refusal. `place`: how many of
// the manifest's files matched, in order, before it; `expected`: the path
// the manifest has for this place (empty past its end).
Status Misplaced(std::string_view name, const ManifestFiles& files, size_t place,
                 const std::string& expected) {
  std::string twin;  // an earlier entry's name equal to `name` up to case
  if (zip::CompareFolded(kManifestPath, name) == 0) twin = kManifestPath;
  for (size_t i = 0; i < files.size() && twin.empty(); ++i) {
    ManifestFile f = files[i];
    if (zip::CompareFolded(f.path, name) != 0) continue;
    if (i >= place && f.path == name) {
      return Status::Corruption("the manifest lists " + expected +
                                ", but the archive lacks it where arkwiki writes it (entry " +
                                std::to_string(place + 2) + " is " + f.path + ")");
    }
    if (i < place) twin = std::move(f.path);
    break;
  }
  if (twin == name) {
    return Status::InvalidArgument(
        zip::EntryMessage(name, "appears more than once in the archive"));
  }
  if (!twin.empty()) {
    return Status::InvalidArgument(zip::EntryMessage(
        name, "differs from entry " + zip::QuoteName(twin) + " only by letter case"));
  }
  return Status::Corruption("the archive holds " + std::string(name) +
                            ", which the manifest does not list");
}

// In step: entry 1 is manifest.json, entry k + 2 the manifest's file k.
// Together with CheckManifestPaths (distinct paths, none of which can
// differ from another only by case: uploads are lower-case hex), this
// refuses every duplicate name.
Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest) {
  ARKWIKI_RETURN_IF_ERROR(CheckManifestPaths(manifest));
  ARKWIKI_RETURN_IF_ERROR(CheckManifestByteCount(manifest));
  const ManifestFiles& files = manifest.files;
  ZipStreamReader::Walk walk = zip.NewWalk();
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> first, walk.Next());
  if (!first || first->name != kManifestPath) {
    return Status::Corruption("the archive has no manifest.json as its first entry");
  }
  for (size_t i = 0;; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> entry, walk.Next());
    if (!entry && i == files.size()) return Status::Ok();
    if (!entry) {
      return Status::Corruption("the manifest lists " + files[i].path +
                                ", but the archive lacks it");
    }
    if (i == files.size()) return Misplaced(entry->name, files, i, "");
    const ManifestFile f = files[i];
    if (entry->name != f.path) return Misplaced(entry->name, files, i, f.path);
    if (entry->uncompressed_size != f.size) {
      return Status::Corruption(f.path + " is " + std::to_string(entry->uncompressed_size) +
                                " bytes in the archive but " + std::to_string(f.size) +
                                " in the manifest");
    }
  }
}

Status CheckDatabaseMatchesManifest(const DatabaseCheck& db, const Manifest& manifest) {
  if (db.schema_version != manifest.schema_version) {
    return Status::Corruption("the manifest says schema " +
                              std::to_string(manifest.schema_version) + " but the database is at " +
                              std::to_string(db.schema_version));
  }
  const ManifestCounts& m = manifest.counts;
  if (db.counts.pages != m.pages || db.counts.revisions != m.revisions ||
      db.counts.users != m.users || db.counts.uploads != m.uploads) {
    return Status::Corruption(
        "the database's counts (pages, revisions, users, uploads) differ "
        "from the manifest's");
  }
  return Status::Ok();
}

// CheckManifestPaths made sure that every upload entry is named by its hash
// and listed once, so the sorted hashes stand for the upload entries.
UploadHashMatcher::UploadHashMatcher(const ManifestFiles& files)
    : files_(files), archived_(UploadsByHash(files)) {}

void UploadHashMatcher::Add(const Sha256Raw& hash) {
  ++added_;
  if (!first_difference_.ok()) return;
  while (next_ < archived_.size() && *files_.UploadHashAt(archived_[next_]) < hash) ++next_;
  if (next_ == archived_.size() || *files_.UploadHashAt(archived_[next_]) != hash) {
    first_difference_ =
        Status::Corruption("the database refers to upload " + HexEncode(hash.data(), hash.size()) +
                           ", which the archive does not hold");
    return;
  }
  ++next_;
}

void UploadHashMatcher::Add(const Sha256Raw& hash, uint64_t size) {
  Add(hash);
  if (!first_difference_.ok()) return;
  const uint64_t archived = files_[archived_[next_ - 1]].size;
  if (archived != size) {
    first_difference_ = Status::Corruption(
        "uploads rows for " + HexEncode(hash.data(), hash.size()) + " record " +
        std::to_string(size) + " bytes, but the archive holds " + std::to_string(archived));
  }
}

Status UploadHashMatcher::Finish() const {
  if (!first_difference_.ok()) return first_difference_;
  if (added_ != archived_.size()) {
    return Status::Corruption("the archive holds upload files the database does not refer to");
  }
  return Status::Ok();
}

}  // namespace arkwiki
