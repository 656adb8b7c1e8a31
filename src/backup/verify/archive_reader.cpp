#include "arkwiki/backup/archive_reader.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "format/manifest_file_store.h"
#include "format/manifest_parser.h"
#include "format/upload_rows.h"
#include "verify/archive_checks.h"
#include "verify/db_check.h"
#include "verify/extract_writer.h"
#include "zip/zip_entry_stream.h"
#include "zip/zip_reader.h"
#include "zip/zip_stream_reader.h"

namespace arkwiki {
namespace {

// manifest.json's cap: 64 MiB plus 1 KiB for each entry of the archive (a
// file's line is ~200 bytes; CheckArchiveLimits allows as much on the
// create side), so that it grows with a genuine backup while a small
// archive cannot inflate a huge one into the scratch copy.
uint64_t MaxManifestBytes(uint64_t entry_count) { return (64ull << 20) + entry_count * 1024; }

// Copies manifest.json, the archive's first entry, out to `copy_path`
// (created exclusively) as it streams, then parses that copy in pieces: the
// text, ~200 bytes per file listed, is never held in memory whole.
// The files go to `files` when given (Manifest::files is then left empty),
// else to Manifest::files.
Result<Manifest> LoadManifest(Env* env, const ZipStreamReader& zip, const std::string& copy_path,
                              ManifestFileStore* files = nullptr) {
  ZipStreamReader::Walk walk = zip.NewWalk();
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> entry, walk.Next());
  if (!entry || entry->name != kManifestPath) {
    return Status::Corruption(
        "the archive has no manifest.json as its first entry: it is not an arkwiki backup");
  }
  if (entry->uncompressed_size > MaxManifestBytes(zip.entry_count())) {
    return Status::TooLarge("manifest.json is larger than " +
                            std::to_string(MaxManifestBytes(zip.entry_count())) + " bytes");
  }
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(copy_path)));
  {
    ARKWIKI_ASSIGN_OR_RETURN(auto out, env->NewWritableFile(copy_path, CreateMode::kExclusive));
    Status s = zip.ReadEntry(*entry, [&](std::string_view chunk) { return out->Append(chunk); });
    Status closed = out->Close();
    ARKWIKI_RETURN_IF_ERROR(s);
    ARKWIKI_RETURN_IF_ERROR(closed);
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env->NewRandomAccessFile(copy_path));
  if (files != nullptr) return ParseManifestFile(*in, files);
  return ParseManifestFile(*in, static_cast<size_t>(zip.entry_count()));
}

std::string ScratchDir(const std::string& scratch_dir) {
  return scratch_dir.empty() ? TempDir() : scratch_dir;
}

// LoadManifest through a scratch copy that is removed however it ends.
Result<Manifest> LoadManifestViaScratch(Env* env, const ZipStreamReader& zip,
                                        const std::string& scratch_dir,
                                        ManifestFileStore* files = nullptr) {
  const std::string copy =
      JoinPath(ScratchDir(scratch_dir), "arkwiki-manifest-" + RandomHex(8) + ".json");
  Result<Manifest> m = LoadManifest(env, zip, copy, files);
  (void)env->RemoveFile(copy);  // scratch; absent if it was never created
  return m;
}

// State across the entries of one VerifyArchive: where extracted files go
// (nullptr when only verifying) and when to report progress next.
// The counters are shared by the two checking threads of a verification
// that does not extract (CheckFiles).
struct VerifyState {
  ExtractWriter* writer = nullptr;
  const ManifestFileStore* files = nullptr;  // the manifest's
  std::mutex mu;                             // guards the report's counters and the two below
  uint64_t next_progress = 0;                // bytes_checked at which to report progress next
  uint64_t total = 0;                        // counts.bytes

  void Count(uint64_t n, VerifyReport* report, const VerifyOptions& options) {
    std::lock_guard<std::mutex> lock(mu);
    report->bytes_checked += n;
    if (options.progress && report->bytes_checked >= next_progress) {
      // About 500 reports in all: one per chunk was one per file, a write
      // to the terminal for each of 50,000 tiny files.
      next_progress = report->bytes_checked + std::max<uint64_t>(total / 500, 1);
      options.progress(report->bytes_checked, total);
    }
  }
};

// A stored entry received as a piece of its own (VerifyOptions::split)
// becomes the file at `dest`: the piece's sums, taken as it arrived, stand
// for reading it again, and are held to what StreamEntry and the writer's
// SHA-256 check would hold its bytes to.
Status AdoptPiece(const ArchivePiece& piece, const ZipEntry& entry, const ManifestFile& file,
                  const std::string& dest, VerifyReport* report, const VerifyOptions& options,
                  VerifyState* state) {
  // A piece is a stored entry's data: its bytes as stored are the data.
  Status refused = CheckEntrySums(entry, piece.size, piece.crc32, piece.crc32, /*canonical=*/true)
                       .WithContext(file.path);
  if (refused.ok() && piece.sha256 != file.sha256) refused = Sha256Mismatch(file.path);
  if (!refused.ok()) {
    // An earlier file's check, still on the writer's threads, comes first.
    ARKWIKI_RETURN_IF_ERROR(state->writer->Drain());
    return refused;
  }
  ARKWIKI_RETURN_IF_ERROR(state->writer->Adopt(dest, piece.path));
  state->Count(piece.size, report, options);
  std::lock_guard<std::mutex> lock(state->mu);
  report->files_checked += 1;
  return Status::Ok();
}

// Streams `entry`, the archive's copy of `file`, to `dest` (or nowhere),
// checking size and SHA-256. When extracting, the bytes go to
// state->writer, which writes them on its own thread; they are not synced
// (see VerifyOptions::extract_dir).
Status CheckEntry(Env* env, const ZipStreamReader& zip, const ZipEntry& entry,
                  const ManifestFile& file, const std::string& dest, VerifyReport* report,
                  const VerifyOptions& options, VerifyState* state) {
  ExtractWriter* writer = dest.empty() ? nullptr : state->writer;
  if (writer != nullptr && options.split != nullptr && entry.method == kZipMethodStore) {
    const ArchivePiece* piece = options.split->PieceAt(entry.data_offset, entry.compressed_size);
    if (piece != nullptr) return AdoptPiece(*piece, entry, file, dest, report, options, state);
  }
  std::unique_ptr<WritableFile> out;  // the scratch copy of the database, when only verifying
  if (writer != nullptr) {
    ARKWIKI_RETURN_IF_ERROR(writer->Begin(dest, file.size, file.path, file.sha256));
  } else if (!dest.empty()) {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
    ARKWIKI_ASSIGN_OR_RETURN(out, env->NewWritableFile(dest, CreateMode::kExclusive));
  }
  std::string sha;
  Status write_error;  // the writer's: it may be about an earlier file, and names it
  Status s = zip.ReadEntry(
      entry,
      [&](std::string_view chunk) -> Status {
        state->Count(chunk.size(), report, options);
        if (writer != nullptr) return write_error = writer->Write(chunk);
        return out ? out->Append(chunk) : Status::Ok();
      },
      writer != nullptr ? nullptr : &sha);  // the writer checks the SHA-256 itself
  if (writer != nullptr) {
    // A failure here need not be the first one: the writer's threads may
    // still be on earlier files, whose SHA-256 checks come first in
    // manifest order. Drain waits for them and returns the earliest
    // failure. A file the reader failed on is abandoned, not ended.
    Status ended = s.ok() && write_error.ok() ? writer->End() : Status::Ok();
    if (!s.ok() || !write_error.ok() || !ended.ok()) {
      ARKWIKI_RETURN_IF_ERROR(writer->Drain());
      ARKWIKI_RETURN_IF_ERROR(write_error);
      ARKWIKI_RETURN_IF_ERROR(ended);
    }
  }
  if (out) {
    Status closed = out->Close();
    if (s.ok()) s = closed;
  }
  if (s.code() == StatusCode::kCorruption) return s.WithContext(file.path);
  ARKWIKI_RETURN_IF_ERROR(s);
  if (writer == nullptr && sha != file.sha256) return Sha256Mismatch(file.path);
  std::lock_guard<std::mutex> lock(state->mu);
  report->files_checked += 1;
  return Status::Ok();
}

// Scratch space for the database check's runs of upload rows, by the
// manifest's count of them, but never above its file count: the count is
// unchecked until the database is read, and the file count is capped.
uint64_t RunBytes(const Manifest& manifest) {
  const auto files = static_cast<int64_t>(manifest.files.size());
  return UploadRowsScratchBytes(std::clamp<int64_t>(manifest.counts.uploads, 0, files));
}

Status CheckDatabase(Env* env, const ZipStreamReader& zip, const ZipEntry& entry,
                     const ManifestFile& db_file, const VerifyOptions& options,
                     VerifyReport* report, VerifyState* state) {
  std::string dest =
      options.extract_dir.empty()
          ? JoinPath(ScratchDir(options.scratch_dir), "arkwiki-verify-" + RandomHex(8) + ".db")
          : JoinPath(options.extract_dir, kDatabasePath);
  if (options.extract_dir.empty()) {
    ARKWIKI_RETURN_IF_ERROR(CheckFreeSpace(env, ScratchDir(options.scratch_dir),
                                           db_file.size + RunBytes(report->manifest) + (1 << 20),
                                           "checking the backup's database"));
  }
  Status s = CheckEntry(env, zip, entry, db_file, dest, report, options, state);
  // SQLite opens the file itself: it must be completely written first.
  if (s.ok() && state->writer != nullptr) s = state->writer->Drain();
  if (s.ok()) {
    // A partial archive leaves the upload files out (archive_format.h): its
    // database's rows are checked, but have no files here to match.
    const bool with_uploads = !report->manifest.partial();
    UploadHashMatcher uploads(*state->files);
    auto check = CheckUntrustedDatabase(env, dest, [&](const Sha256Raw& hash, uint64_t size) {
      if (with_uploads) uploads.Add(hash, size);
    });
    if (check.ok()) {
      report->database = std::move(check).value();
      s = CheckDatabaseMatchesManifest(report->database, report->manifest);
      if (s.ok() && with_uploads) s = uploads.Finish();
    } else {
      s = check.status();
    }
  }
  if (options.extract_dir.empty()) (void)env->RemoveFile(dest);  // scratch copy only
  return s;
}

// Hands out the manifest's files with their entries, in archive order
// (CheckEntrySet matched the two), to one thread or two.
class FileQueue {
 public:
  FileQueue(const ZipStreamReader& zip, const ManifestFileStore& files)
      : walk_(zip.NewWalk()), files_(files.Walk()) {}

  // Skips manifest.json, the first entry.
  Status Start() { return walk_.Next().status(); }
  // The next file's index, the file and its entry (whose name views
  // `file->path`), or false after the last.
  Result<bool> Take(size_t* index, ManifestFile* file, ZipEntry* entry) {
    std::lock_guard<std::mutex> lock(mu_);
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, files_.Next());
    if (f == nullptr) return false;
    ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> e, walk_.Next());
    if (!e) return Status::Corruption("the archive changed while it was read");
    *index = next_++;
    *file = f->Get();
    *entry = *e;
    entry->name = file->path;
    return true;
  }

 private:
  std::mutex mu_;
  ZipStreamReader::Walk walk_;
  ManifestFileStore::Cursor files_;
  size_t next_ = 0;
};

// Checks every file the manifest lists. When extracting, in manifest order
// on this thread (the ExtractWriter writes on its own). When only
// verifying, on two threads that take the next file in turn, so that
// SHA-256 — ~1.5 GB/s per core here, the floor of a verification — runs on
// both cores. The first failing file in manifest order is reported, as from
// one thread: files are taken in order and each thread finishes the one it
// has before stopping, so every file before a failing one has been checked
// by then.
Status CheckFiles(Env* env, const ZipStreamReader& zip, const VerifyOptions& options,
                  VerifyReport* report, VerifyState* state) {
  FileQueue queue(zip, *state->files);
  ARKWIKI_RETURN_IF_ERROR(queue.Start());
  // Checks the next file; false after the last. `index` names the file
  // whatever the outcome (SIZE_MAX when none was taken).
  auto check_next = [&](size_t* index) -> Result<bool> {
    ManifestFile file;
    ZipEntry entry;
    *index = SIZE_MAX;
    ARKWIKI_ASSIGN_OR_RETURN(bool taken, queue.Take(index, &file, &entry));
    if (!taken) return false;
    if (file.path == kDatabasePath) {
      ARKWIKI_RETURN_IF_ERROR(CheckDatabase(env, zip, entry, file, options, report, state));
      return true;
    }
    std::string dest = options.extract_dir.empty() ? "" : JoinPath(options.extract_dir, file.path);
    ARKWIKI_RETURN_IF_ERROR(CheckEntry(env, zip, entry, file, dest, report, options, state));
    return true;
  };
  if (state->writer != nullptr || state->files->size() < 2) {
    for (size_t i = 0;;) {
      ARKWIKI_ASSIGN_OR_RETURN(bool more, check_next(&i));
      if (!more) return Status::Ok();
    }
  }
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::map<size_t, Status> errors;  // by manifest index
  auto run = [&] {
    while (!failed.load()) {
      size_t i = SIZE_MAX;
      Result<bool> more = check_next(&i);
      if (more.ok() && !*more) return;
      if (!more.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        errors.emplace(i, more.status());
        failed = true;
      }
    }
  };
  std::thread helper(run);
  run();
  helper.join();
  return errors.empty() ? Status::Ok() : errors.begin()->second;
}

// A backup is always read in canonical mode: it must be exactly what our
// ZipWriter wrote (see ZipLimits::require_canonical).
ZipLimits BackupLimits(const ZipLimits& limits) {
  ZipLimits out = limits;
  out.require_canonical = true;
  return out;
}

// Opens a backup in canonical mode. When that fails, a second, lenient look
// tells a person the likelier cause: a ZIP without manifest.json is some
// other ZIP, not a damaged backup.
Result<std::unique_ptr<ZipStreamReader>> OpenBackupZip(Env* env, const std::string& path,
                                                       const ZipLimits& limits,
                                                       const SplitArchive* split) {
  auto open = [&]() -> Result<std::unique_ptr<RandomAccessFile>> {
    if (split == nullptr) return env->NewRandomAccessFile(path);
    return OpenSplitArchive(env, *split);
  };
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, open());
  auto zip = ZipStreamReader::Open(std::move(file), BackupLimits(limits));
  if (zip.ok() || zip.status().code() != StatusCode::kCorruption) return zip;
  auto reopened = open();
  if (!reopened.ok()) return zip;
  auto lenient = ZipReader::Open(std::move(*reopened), path, limits);
  if (lenient.ok() && (*lenient)->Find(kManifestPath) == nullptr) {
    return Status::Corruption(
        "the file is a ZIP archive but not an arkwiki backup (it has no manifest.json)");
  }
  return zip;
}

}  // namespace

Result<Manifest> ReadManifest(Env* env, const std::string& archive_path,
                              const VerifyOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(auto zip,
                           OpenBackupZip(env, archive_path, options.limits, options.split));
  // The scratch file is removed however this ends.
  ManifestFileStore files =
      ManifestFileStore::InDir(env, ScratchDir(options.scratch_dir), options.manifest_files_held);
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest,
                           LoadManifestViaScratch(env, *zip, options.scratch_dir, &files));
  // Callers size free-space checks by counts.bytes: it must be what the
  // files add up to.
  ARKWIKI_RETURN_IF_ERROR(CheckManifestByteCount(manifest, files));
  ARKWIKI_ASSIGN_OR_RETURN(manifest.files, files.ToManifestFiles());
  return manifest;
}

Result<Manifest> ReadManifest(Env* env, const std::string& archive_path, const ZipLimits& limits) {
  VerifyOptions options;
  options.limits = limits;
  return ReadManifest(env, archive_path, options);
}

Result<VerifyReport> VerifyArchive(Env* env, const std::string& archive_path,
                                   const VerifyOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(auto zip,
                           OpenBackupZip(env, archive_path, options.limits, options.split));
  VerifyReport report;
  report.archive_bytes = zip->archive_size();
  // The manifest's files, spilled past options.manifest_files_held beside
  // the database's copy; removed however this ends.
  const std::string scratch =
      options.extract_dir.empty() ? ScratchDir(options.scratch_dir) : options.extract_dir;
  ManifestFileStore files = ManifestFileStore::InDir(env, scratch, options.manifest_files_held);
  // When extracting, the manifest's copy is the extracted manifest.json.
  if (options.extract_dir.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(report.manifest,
                             LoadManifestViaScratch(env, *zip, options.scratch_dir, &files));
  } else {
    ARKWIKI_ASSIGN_OR_RETURN(
        report.manifest,
        LoadManifest(env, *zip, JoinPath(options.extract_dir, kManifestPath), &files));
  }
  ARKWIKI_RETURN_IF_ERROR(CheckEntrySet(*zip, report.manifest, files));
  // Held when small, else only counted (ManifestFiles::NotHeld).
  ARKWIKI_ASSIGN_OR_RETURN(report.manifest.files, files.ToManifestFiles());
  if (options.before_extract) ARKWIKI_RETURN_IF_ERROR(options.before_extract(report.manifest));
  if (!options.extract_dir.empty()) {
    // The database check's runs of upload rows are written beside the
    // database while it is checked, and removed after.
    uint64_t needed =
        static_cast<uint64_t>(report.manifest.counts.bytes) + RunBytes(report.manifest) + (1 << 20);
    ARKWIKI_RETURN_IF_ERROR(
        CheckFreeSpace(env, options.extract_dir, needed, "unpacking the backup"));
  }
  VerifyState state;
  state.files = &files;
  state.total = static_cast<uint64_t>(report.manifest.counts.bytes);
  std::optional<ExtractWriter> writer;
  if (!options.extract_dir.empty()) state.writer = &writer.emplace(env, options.extract_dir);
  ARKWIKI_RETURN_IF_ERROR(CheckFiles(env, *zip, options, &report, &state));
  if (state.writer != nullptr) ARKWIKI_RETURN_IF_ERROR(state.writer->Drain());
  if (options.progress) {  // the last chunk may have fallen between two reports
    options.progress(report.bytes_checked, static_cast<uint64_t>(report.manifest.counts.bytes));
  }
  return report;
}

}  // namespace arkwiki
