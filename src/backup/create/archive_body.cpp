#include "create/archive_body.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <optional>
#include <sstream>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/free_space.h"
#include "create/hashing_sink.h"
#include "create/upload_pipeline.h"
#include "format/manifest_source.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

std::string Setting(const DatabaseSnapshot& info, const std::string& key) {
  auto it = info.settings.find(key);
  return it == info.settings.end() ? "" : it->second;
}

// Small uploads come from `pipeline` (read, hashed and compressed ahead on
// other threads); large ones stream through here.
Status AddUploads(Env* env, const DataDirLayout& layout, const Manifest& manifest, ZipWriter* zip,
                  UploadPipeline* pipeline, const EntryOptions& entry, const BackupOptions& options,
                  BackupProgress* progress) {
  for (size_t i = 2; i < manifest.files.size(); ++i) {
    const ManifestFile f = manifest.files[i];
    EntryInfo info;
    Status s;
    if (UploadPipeline::IsSmall(f)) {
      Result<PreparedEntry> prepared = pipeline->Take(i);
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
  return Status::Ok();
}

}  // namespace

std::string SettingsJson(const std::map<std::string, std::string>& settings) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : settings) o->set(k, v);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 1);
  return out.str() + "\n";
}

Manifest BuildManifest(DatabaseSnapshot* snapshot, const FileDigest& db,
                       const std::string& settings, int64_t created_at) {
  Manifest m;
  m.app_version = ARKWIKI_VERSION;
  m.schema_version = snapshot->schema_version;
  m.created_at = FormatIsoUtc(created_at);
  m.site_title = Setting(*snapshot, "site_title");
  if (m.site_title.empty()) m.site_title = "arkwiki";
  m.base_url = Setting(*snapshot, "base_url");
  m.instance_id = Setting(*snapshot, "instance_id");
  m.counts = snapshot->counts;
  // Moved, not copied: a copy held the list twice (80 MB at 1,000,000
  // uploads); SnapshotDatabase left room for the two files put first.
  m.files = std::move(snapshot->uploads);
  snapshot->uploads = ManifestFiles();
  m.files.Prepend(
      {{kDatabasePath, db.size, db.sha256}, {kSettingsPath, settings.size(), Sha256Hex(settings)}});
  for (size_t i = 0; i < m.files.size(); ++i)
    m.counts.bytes += static_cast<int64_t>(m.files.SizeAt(i));
  return m;
}

Status WriteArchiveBody(Env* env, const ArchiveParts& parts, ByteSink* out,
                        const BackupOptions& options, BackupResult* result) {
  const Manifest& manifest = *parts.manifest;
  const std::string db_sha256 = manifest.files[0].sha256;
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
  // writes the manifest and the database. It holds a reference to the
  // manifest's file list and runs a thread: it must be gone before the
  // manifest is (hence optional, reset below).
  std::optional<UploadPipeline> pipeline;
  pipeline.emplace(env, *parts.uploads, manifest.files, 2, automatic);
  ManifestSource manifest_json(manifest);  // streamed: it grows with the file count
  ARKWIKI_RETURN_IF_ERROR(zip.AddSource(kManifestPath, &manifest_json, deflate));
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
      AddUploads(env, *parts.uploads, manifest, &zip, &*pipeline, automatic, options, &progress));
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
