#include "arkwiki/backup/archive_reader.h"

#include <cstdlib>
#include <set>

#include "arkwiki/core/hash.h"
#include "backup/archive_checks.h"

namespace arkwiki {
namespace {

constexpr uint64_t kMaxManifestBytes = 64ull << 20;

Result<Manifest> LoadManifest(const ZipReader& zip) {
  const ZipEntry* entry = zip.Find(kManifestPath);
  if (entry == nullptr) {
    return Status::Corruption("the archive has no manifest.json: it is not an arkwiki backup");
  }
  if (entry->uncompressed_size > kMaxManifestBytes) {
    return Status::TooLarge("manifest.json is larger than " + std::to_string(kMaxManifestBytes) +
                            " bytes");
  }
  std::string bytes;
  ARKWIKI_RETURN_IF_ERROR(zip.ReadEntry(*entry, [&](std::string_view chunk) {
    bytes.append(chunk);
    return Status::Ok();
  }));
  return ParseManifest(bytes);
}

// Streams one entry to `dest` (or nowhere), checking size and SHA-256.
Status CheckEntry(Env* env, const ZipReader& zip, const ManifestFile& file, const std::string& dest,
                  VerifyReport* report, const VerifyOptions& options) {
  const ZipEntry* entry = zip.Find(file.path);
  std::unique_ptr<WritableFile> out;
  if (!dest.empty()) {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
    ARKWIKI_ASSIGN_OR_RETURN(out, env->NewWritableFile(dest, CreateMode::kExclusive));
  }
  std::string sha;
  const uint64_t total = static_cast<uint64_t>(report->manifest.counts.bytes);
  Status s = zip.ReadEntry(
      *entry,
      [&](std::string_view chunk) -> Status {
        report->bytes_checked += chunk.size();
        if (options.progress) options.progress(report->bytes_checked, total);
        return out ? out->Append(chunk) : Status::Ok();
      },
      &sha);
  if (s.ok() && out) s = out->Sync();
  if (out) {
    Status closed = out->Close();
    if (s.ok()) s = closed;
  }
  if (s.code() == StatusCode::kCorruption) return s.WithContext(file.path);
  ARKWIKI_RETURN_IF_ERROR(s);
  if (sha != file.sha256) {
    return Status::Corruption(file.path +
                              " does not match the SHA-256 in the manifest: it was "
                              "altered or damaged");
  }
  report->files_checked += 1;
  return Status::Ok();
}

std::string ScratchDir(const VerifyOptions& options) {
  if (!options.scratch_dir.empty()) return options.scratch_dir;
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

Status CheckDatabase(Env* env, const ZipReader& zip, const ManifestFile& db_file,
                     const VerifyOptions& options, VerifyReport* report) {
  std::string dest = options.extract_dir.empty()
                         ? JoinPath(ScratchDir(options), "arkwiki-verify-" + RandomHex(8) + ".db")
                         : JoinPath(options.extract_dir, kDatabasePath);
  if (options.extract_dir.empty()) {
    ARKWIKI_RETURN_IF_ERROR(CheckFreeSpace(env, ScratchDir(options), db_file.size + (1 << 20),
                                           "checking the backup's database"));
  }
  Status s = CheckEntry(env, zip, db_file, dest, report, options);
  if (s.ok()) {
    auto check = CheckUntrustedDatabase(env, dest);
    if (check.ok()) report->database = std::move(check).value();
    s = check.status();
  }
  if (options.extract_dir.empty()) (void)env->RemoveFile(dest);  // scratch copy only
  return s;
}

// A backup is always read in canonical mode: it must be exactly what our
// ZipWriter wrote (see ZipLimits::require_canonical).
ZipLimits BackupLimits(const ZipLimits& limits) {
  ZipLimits out = limits;
  out.require_canonical = true;
  return out;
}

}  // namespace

Result<Manifest> ReadManifest(Env* env, const std::string& archive_path, const ZipLimits& limits) {
  ARKWIKI_ASSIGN_OR_RETURN(auto zip, ZipReader::Open(env, archive_path, BackupLimits(limits)));
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest, LoadManifest(*zip));
  // Callers size free-space checks by counts.bytes: it must be what the
  // files add up to.
  ARKWIKI_RETURN_IF_ERROR(CheckManifestByteCount(manifest));
  return manifest;
}

Result<VerifyReport> VerifyArchive(Env* env, const std::string& archive_path,
                                   const VerifyOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(auto zip,
                           ZipReader::Open(env, archive_path, BackupLimits(options.limits)));
  VerifyReport report;
  report.archive_bytes = zip->archive_size();
  ARKWIKI_ASSIGN_OR_RETURN(report.manifest, LoadManifest(*zip));
  ARKWIKI_RETURN_IF_ERROR(CheckEntrySet(*zip, report.manifest));
  if (!options.extract_dir.empty()) {
    uint64_t needed = static_cast<uint64_t>(report.manifest.counts.bytes) + (1 << 20);
    ARKWIKI_RETURN_IF_ERROR(
        CheckFreeSpace(env, options.extract_dir, needed, "unpacking the backup"));
  }
  for (const ManifestFile& file : report.manifest.files) {
    if (file.path == kDatabasePath) {
      ARKWIKI_RETURN_IF_ERROR(CheckDatabase(env, *zip, file, options, &report));
      continue;
    }
    std::string dest = options.extract_dir.empty() ? "" : JoinPath(options.extract_dir, file.path);
    ARKWIKI_RETURN_IF_ERROR(CheckEntry(env, *zip, file, dest, &report, options));
  }
  if (!options.extract_dir.empty()) {
    ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, JoinPath(options.extract_dir, kManifestPath),
                                                SerializeManifest(report.manifest)));
  }
  ARKWIKI_RETURN_IF_ERROR(CheckDatabaseMatchesManifest(report.database, report.manifest));
  return report;
}

}  // namespace arkwiki
