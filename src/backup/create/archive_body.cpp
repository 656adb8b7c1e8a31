#include "create/archive_body.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <optional>
#include <sstream>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/free_space.h"
#include "create/upload_pipeline.h"
#include "format/manifest_source.h"
#include "zip/hashing_sink.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

std::string Setting(const DatabaseSnapshot& info, const std::string& key) {
  auto it = info.settings.find(key);
  return it == info.settings.end() ? "" : it->second;
}

// Small uploads come from `pipeline` (read, hashed and compressed ahead on
// other threads); large ones stream through here.
Status AddUploads(Env* env, const DataDirLayout& layout, const ManifestFileStore& files,
                  ZipWriter* zip, UploadPipeline* pipeline, const EntryOptions& entry,
                  const BackupOptions& options, BackupProgress* progress) {
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* file, cursor.Next());
    if (file == nullptr) return Status::Ok();
    if (i < 2) continue;  // the database and the settings
    const ManifestFile f = file->Get();
    if (file->upload_hash == nullptr) {  // only a hand-altered restore point lists one
      return Status::Corruption("the backup's list of files names " + f.path +
                                ", which is not an upload named by its hash");
    }
    EntryInfo info;
    Status s;
    if (UploadPipeline::IsSmall(f.size)) {
      Result<PreparedEntry> prepared = pipeline->Take(i, f);
      s = prepared.ok() ? zip->AddPrepared(std::move(prepared).value(), &info) : prepared.status();
    } else {
      s = zip->AddFile(f.path, env, layout.UploadPath(f.sha256), entry, &info);
    }
    if (s.code() == StatusCode::kNotFound) {
      return Status::Corruption("upload " + f.sha256 +
                                " is referenced by the database but "
                                "missing from " +
                                layout.uploads);
    }
    ARKWIKI_RETURN_IF_ERROR(s);
    if (info.sha256 != f.sha256 || info.uncompressed_size != f.size) {
      return Status::Corruption("upload file " + layout.UploadPath(f.sha256) +
                                " is damaged: its content no longer matches its hash");
    }
    progress->bytes_done += f.size;
    if (options.progress) options.progress(*progress);
  }
}

}  // namespace

std::string SettingsJson(const std::map<std::string, std::string>& settings) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : settings) o->set(k, v);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 1);
  return out.str() + "\n";
}

Result<Manifest> BuildManifest(DatabaseSnapshot* snapshot, const FileDigest& db,
                               const std::string& settings, int64_t created_at,
                               ManifestFileStore* files) {
  Manifest m;
  m.app_version = ARKWIKI_VERSION;
  m.schema_version = snapshot->schema_version;
  m.created_at = FormatIsoUtc(created_at);
  m.site_title = Setting(*snapshot, "site_title");
  if (m.site_title.empty()) m.site_title = "arkwiki";
  m.base_url = Setting(*snapshot, "base_url");
  m.instance_id = Setting(*snapshot, "instance_id");
  m.counts = snapshot->counts;
  uint64_t bytes = db.size + settings.size();
  ARKWIKI_RETURN_IF_ERROR(files->Add({kDatabasePath, db.size, db.sha256}));
  ARKWIKI_RETURN_IF_ERROR(files->Add({kSettingsPath, settings.size(), Sha256Hex(settings)}));
  if (snapshot->upload_rows) {
    ARKWIKI_RETURN_IF_ERROR(snapshot->upload_rows->ForEachDistinct(
        [&](const Sha256Raw& hash, uint64_t, uint64_t max_size) {
          bytes += max_size;
          std::string sha = HexEncode(hash.data(), hash.size());
          return files->Add({UploadEntryPath(sha), max_size, std::move(sha)});
        }));
    snapshot->upload_rows.reset();
  }
  ARKWIKI_RETURN_IF_ERROR(files->Finish());
  m.counts.bytes += static_cast<int64_t>(bytes);
  ARKWIKI_ASSIGN_OR_RETURN(m.files, files->ToManifestFiles());
  return m;
}

Status WriteArchiveBody(Env* env, const ArchiveParts& parts, ByteSink* out,
                        const BackupOptions& options, BackupResult* result) {
  const Manifest& manifest = *parts.manifest;
  const ManifestFileStore& files = *parts.files;
  ARKWIKI_ASSIGN_OR_RETURN(const std::vector<ManifestFile> own, files.First(2));
  if (own.size() < 2 || own[0].path != kDatabasePath || own[1].path != kSettingsPath) {
    return Status::InvalidArgument("the backup's list of files does not start with " +
                                   std::string(kDatabasePath) + " and " + kSettingsPath);
  }
  // Refused before a byte is written (only a hand-altered restore point
  // lists another file; AddUploads checks each file again).
  if (files.uploads() + 2 != files.size()) {
    return Status::Corruption("the backup's list of files names " +
                              std::to_string(files.size() - 2 - files.uploads()) +
                              " files besides the database, the settings and the uploads");
  }
  const std::string& db_sha256 = own[0].sha256;
  BackupProgress progress{"database", 0, static_cast<uint64_t>(manifest.counts.bytes)};
  if (options.progress) options.progress(progress);
  // HashingSink blocks the stream into 1 MiB writes (as BufferedByteSink
  // would) and hashes and forwards them on its own thread.
  HashingSink hashed(out);
  ZipWriter zip(&hashed);
  // The central directory grows with the file count: it waits for the end
  // in a scratch file rather than in memory.
  ARKWIKI_RETURN_IF_ERROR(zip.SpoolCentralDirectory(
      env, JoinPath(parts.scratch_dir, "backup-" + RandomHex(8) + ".cd")));
  EntryOptions deflate{EntryOptions::Method::kDeflate, 1, parts.created_at};
  EntryOptions automatic{EntryOptions::Method::kAuto, 1, parts.created_at};
  // Started now, so that the first uploads are prepared while this thread
  // writes the manifest and the database. It runs a thread, stopped
  // (reset below) before the archive is finished.
  std::optional<UploadPipeline> pipeline;
  pipeline.emplace(env, *parts.uploads, files, 2, automatic);
  // Streamed: it grows with the file count.
  ARKWIKI_ASSIGN_OR_RETURN(auto manifest_json, ManifestSource::Open(manifest, files));
  ARKWIKI_RETURN_IF_ERROR(zip.AddSource(kManifestPath, manifest_json.get(), deflate));
  EntryInfo db_entry;
  ARKWIKI_RETURN_IF_ERROR(
      zip.AddFile(kDatabasePath, env, parts.database_path, automatic, &db_entry));
  if (db_entry.sha256 != db_sha256) {
    return Status::IoError("the database snapshot changed while it was archived");
  }
  ARKWIKI_RETURN_IF_ERROR(zip.AddBytes(kSettingsPath, parts.settings, deflate));
  progress.phase = "uploads";
  progress.bytes_done = db_entry.uncompressed_size + parts.settings.size();
  ARKWIKI_RETURN_IF_ERROR(
      AddUploads(env, *parts.uploads, files, &zip, &*pipeline, automatic, options, &progress));
  pipeline.reset();
  ARKWIKI_RETURN_IF_ERROR(zip.Finish());
  result->archive_bytes = hashed.bytes();
  result->archive_sha256 = hashed.FinishHex();
  progress.phase = "done";
  if (options.progress) options.progress(progress);
  return Status::Ok();
}

Result<BackupResult> WriteArchiveToFile(Env* env, const std::string& path,
                                        const BackupOptions& options,
                                        const ArchiveProducer& produce) {
  const std::string dir = DirName(path);
  const std::string partial = path + ".partial-" + RandomHex(6);
  BackupOptions opts = options;
  opts.before_write = [&](const Manifest& m) -> Status {
    if (options.before_write) ARKWIKI_RETURN_IF_ERROR(options.before_write(m));
    // Deflate only shrinks; the ZIP headers add well under 1 KiB per file.
    uint64_t needed = static_cast<uint64_t>(m.counts.bytes) + 1024 * m.files.size() + (1 << 20);
    return CheckFreeSpace(env, dir, needed, "the backup archive");
  };
  auto sink = FileByteSink::Create(env, partial, CreateMode::kExclusive, 64ull << 20);
  if (!sink.ok()) return sink.status();
  // The archive is synced at the end anyway: its 1 MiB blocks go straight
  // to the disk instead of being copied into the page cache first.
  (void)(*sink)->UseDirectIo();
  auto result = produce(sink->get(), opts);
  Status s = result.ok() ? (*sink)->Sync() : result.status();
  Status closed = (*sink)->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = env->Rename(partial, path);
  if (s.ok()) s = env->SyncDir(dir);
  if (!s.ok()) {
    (void)env->RemoveFile(partial);  // the failure above is what the caller needs
    return s;
  }
  return result;
}

}  // namespace arkwiki
