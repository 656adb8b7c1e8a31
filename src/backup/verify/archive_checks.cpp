#include "verify/archive_checks.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "zip/zip_format.h"
#include "zip/zip_names.h"

namespace arkwiki {
namespace {

using StoredFile = ManifestFileStore::File;

std::string UploadPathOf(const Sha256Raw& sha) {
  return UploadEntryPath(HexEncode(sha.data(), sha.size()));
}

// The first hash the manifest's uploads hold twice, in hash order, when
// they are not in ascending order (then the hashes are held, sorted).
Result<std::optional<Sha256Raw>> FindTwice(const ManifestFileStore& files) {
  if (files.uploads_ascending()) return std::optional<Sha256Raw>();
  std::vector<Sha256Raw> hashes;
  hashes.reserve(files.uploads());
  ManifestFileStore::Cursor c = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const StoredFile* f, c.Next());
    if (f == nullptr) break;
    if (f->upload_hash != nullptr) hashes.push_back(*f->upload_hash);
  }
  std::sort(hashes.begin(), hashes.end());
  auto twice = std::adjacent_find(hashes.begin(), hashes.end());
  if (twice == hashes.end()) return std::optional<Sha256Raw>();
  return std::optional<Sha256Raw>(*twice);
}

// One pass: the first file with no place in a backup is reported as it is
// met, before anything about the uploads, which is reported after the pass.
Status CheckManifestPaths(const Manifest& manifest, const ManifestFileStore& files) {
  bool has_db = false, has_settings = false;
  std::optional<Sha256Raw> lowest_upload;
  ManifestFileStore::Cursor c = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const StoredFile* stored, c.Next());
    if (stored == nullptr) break;
    if (const Sha256Raw* h = stored->upload_hash) {  // named by its hash: checked below
      if (!lowest_upload || *h < *lowest_upload) lowest_upload = *h;
      continue;
    }
    const ManifestFile& f = *stored->other;
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
  if (manifest.partial() && lowest_upload) {  // only "uploads" can be omitted (manifest_parser)
    return Status::Corruption(
        "the manifest says the archive leaves out the uploads, but it lists " +
        UploadPathOf(*lowest_upload) + ": a partial archive may not carry upload files");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<Sha256Raw> twice, FindTwice(files));
  if (twice) return Status::Corruption("manifest.json lists " + UploadPathOf(*twice) + " twice");
  if (!has_db)
    return Status::Corruption("the backup has no database (" + std::string(kDatabasePath) + ")");
  if (!has_settings) return Status::Corruption("the backup has no " + std::string(kSettingsPath));
  return Status::Ok();
}

Status CheckByteCount(const Manifest& manifest, uint64_t sum) {
  if (manifest.counts.bytes < 0 || static_cast<uint64_t>(manifest.counts.bytes) != sum) {
    return Status::Corruption("manifest.json: counts.bytes is " +
                              std::to_string(manifest.counts.bytes) + " but its files add up to " +
                              std::to_string(sum) + " bytes");
  }
  return Status::Ok();
}

}  // namespace

Status CheckManifestByteCount(const Manifest& manifest, const ManifestFileStore& files) {
  uint64_t sum = 0;
  ManifestFileStore::Cursor c = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const StoredFile* f, c.Next());
    if (f == nullptr) return CheckByteCount(manifest, sum);
    sum += f->size;
  }
}

// Why entry `name` does not belong where it stands, found by a search of
// the whole manifest: only on the way to a refusal. `place`: how many of
// the manifest's files matched, in order, before it; `expected`: the path
// the manifest has for this place (empty past its end).
Status Misplaced(std::string_view name, const ManifestFileStore& files, size_t place,
                 const std::string& expected) {
  std::string twin;  // an earlier entry's name equal to `name` up to case
  if (zip::CompareFolded(kManifestPath, name) == 0) twin = kManifestPath;
  ManifestFileStore::Cursor c = files.Walk();
  for (size_t i = 0; twin.empty(); ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(const StoredFile* stored, c.Next());
    if (stored == nullptr) break;
    ManifestFile f = stored->Get();
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
Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest,
                     const ManifestFileStore& files) {
  ARKWIKI_RETURN_IF_ERROR(CheckManifestPaths(manifest, files));
  ARKWIKI_RETURN_IF_ERROR(CheckManifestByteCount(manifest, files));
  ZipStreamReader::Walk walk = zip.NewWalk();
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> first, walk.Next());
  if (!first || first->name != kManifestPath) {
    return Status::Corruption("the archive has no manifest.json as its first entry");
  }
  ManifestFileStore::Cursor c = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> entry, walk.Next());
    ARKWIKI_ASSIGN_OR_RETURN(const StoredFile* stored, c.Next());
    if (!entry && stored == nullptr) return Status::Ok();
    if (!entry) {
      return Status::Corruption("the manifest lists " + stored->Get().path +
                                ", but the archive lacks it");
    }
    if (stored == nullptr) return Misplaced(entry->name, files, i, "");
    const ManifestFile f = stored->Get();
    if (entry->name != f.path) return Misplaced(entry->name, files, i, f.path);
    if (entry->uncompressed_size != f.size) {
      return Status::Corruption(f.path + " is " + std::to_string(entry->uncompressed_size) +
                                " bytes in the archive but " + std::to_string(f.size) +
                                " in the manifest");
    }
  }
}

Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest) {
  return CheckEntrySet(zip, manifest, ManifestFileStore::Of(manifest.files));
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
// and listed once, so the sorted hashes stand for the upload entries. In
// ascending order they are read in step from the list; in another order
// they are held, sorted.
UploadHashMatcher::UploadHashMatcher(const ManifestFiles& files)
    : owned_(std::make_unique<ManifestFileStore>(ManifestFileStore::Of(files))),
      files_(*owned_),
      cursor_(files_.Walk()) {
  Start();
}

UploadHashMatcher::UploadHashMatcher(const ManifestFileStore& files)
    : files_(files), cursor_(files_.Walk()) {
  Start();
}

void UploadHashMatcher::Start() {
  if (!files_.uploads_ascending()) {
    sorted_.reserve(files_.uploads());
    for (;;) {
      Result<const ManifestFileStore::File*> f = cursor_.Next();
      if (!f.ok()) {
        first_difference_ = f.status();
        return;
      }
      if (*f == nullptr) break;
      if ((*f)->upload_hash != nullptr) sorted_.push_back({*(*f)->upload_hash, (*f)->size});
    }
    std::sort(sorted_.begin(), sorted_.end(),
              [](const Archived& a, const Archived& b) { return a.hash < b.hash; });
  }
  Advance();
}

// The next of the manifest's uploads in hash order into current_, or
// has_current_ false after the last.
void UploadHashMatcher::Advance() {
  has_current_ = false;
  if (!files_.uploads_ascending()) {
    if (next_ == sorted_.size()) return;
    current_ = sorted_[next_++];
    has_current_ = true;
    return;
  }
  for (;;) {
    Result<const ManifestFileStore::File*> f = cursor_.Next();
    if (!f.ok()) {
      if (first_difference_.ok()) first_difference_ = f.status();
      return;
    }
    if (*f == nullptr) return;
    if ((*f)->upload_hash == nullptr) continue;
    current_ = {*(*f)->upload_hash, (*f)->size};
    has_current_ = true;
    return;
  }
}

void UploadHashMatcher::Add(const Sha256Raw& hash) {
  ++added_;
  if (!first_difference_.ok()) return;
  while (has_current_ && current_.hash < hash) Advance();
  if (!first_difference_.ok()) return;
  if (!has_current_ || current_.hash != hash) {
    first_difference_ =
        Status::Corruption("the database refers to upload " + HexEncode(hash.data(), hash.size()) +
                           ", which the archive does not hold");
    return;
  }
  matched_size_ = current_.size;
  Advance();
}

void UploadHashMatcher::Add(const Sha256Raw& hash, uint64_t size) {
  Add(hash);
  if (!first_difference_.ok()) return;
  if (matched_size_ != size) {
    first_difference_ = Status::Corruption(
        "uploads rows for " + HexEncode(hash.data(), hash.size()) + " record " +
        std::to_string(size) + " bytes, but the archive holds " + std::to_string(matched_size_));
  }
}

Status UploadHashMatcher::Finish() const {
  if (!first_difference_.ok()) return first_difference_;
  if (added_ != files_.uploads()) {
    return Status::Corruption("the archive holds upload files the database does not refer to");
  }
  return Status::Ok();
}

}  // namespace arkwiki
