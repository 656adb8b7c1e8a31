#include "tampered_archive.h"

#include <sqlite3.h>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "format/manifest_parser.h"
#include "format/manifest_source.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki::drill {
namespace {

// Streams one entry to a file in `scratch` and returns its path.
Result<std::string> ExtractEntry(const ZipReader& zip, const ZipEntry& entry,
                                 const std::string& scratch, size_t index) {
  Env* env = Env::Default();
  const std::string path = scratch + "/entry-" + std::to_string(index);
  ARKWIKI_ASSIGN_OR_RETURN(auto sink, FileByteSink::Create(env, path, CreateMode::kTruncate));
  ARKWIKI_RETURN_IF_ERROR(
      zip.ReadEntry(entry, [&](std::string_view chunk) { return sink->Write(chunk); }));
  ARKWIKI_RETURN_IF_ERROR(sink->Close());
  return path;
}

// Runs `sql`, then `query`; returns the query's first cell.
Result<std::string> Tamper(const std::string& db_path, const std::string& sql,
                           const std::string& query) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  char* err = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string cell;
  sqlite3_stmt* st = nullptr;
  if (rc == SQLITE_OK) rc = sqlite3_prepare_v2(db, query.c_str(), -1, &st, nullptr);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    cell = text != nullptr ? text : "";
  }
  sqlite3_finalize(st);
  const std::string message = err != nullptr ? err : sqlite3_errmsg(db);
  sqlite3_free(err);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return Status::IoError("tampering with the database: " + message);
  return cell;
}

}  // namespace

Result<std::string> RepackWithTamperedDatabase(const std::string& archive, const std::string& sql,
                                               const std::string& query, const std::string& out,
                                               const std::string& scratch) {
  Env* env = Env::Default();
  ARKWIKI_ASSIGN_OR_RETURN(auto zip, ZipReader::Open(env, archive, ZipLimits()));
  std::vector<std::string> paths;  // each entry's bytes, extracted
  for (const ZipEntry& entry : zip->entries()) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string path, ExtractEntry(*zip, entry, scratch, paths.size()));
    paths.push_back(std::move(path));
  }
  std::string manifest_path;
  std::string db_path;
  for (size_t i = 0; i < paths.size(); ++i) {
    if (zip->entries()[i].name == kManifestPath) manifest_path = paths[i];
    if (zip->entries()[i].name == kDatabasePath) db_path = paths[i];
  }
  if (manifest_path.empty() || db_path.empty()) return Status::Corruption("not an arkwiki backup");
  ARKWIKI_ASSIGN_OR_RETURN(std::string row, Tamper(db_path, sql, query));
  ARKWIKI_ASSIGN_OR_RETURN(std::string manifest_text, ReadFileToString(env, manifest_path));
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(manifest_text));
  ARKWIKI_ASSIGN_OR_RETURN(FileDigest db, Sha256File(env, db_path));
  manifest.counts.bytes = 0;
  for (size_t i = 0; i < manifest.files.size(); ++i) {
    ManifestFile f = manifest.files[i];
    if (f.path == kDatabasePath) {
      f.size = db.size;
      f.sha256 = db.sha256;
      manifest.files.Set(i, f);
    }
    manifest.counts.bytes += static_cast<int64_t>(f.size);
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto sink, FileByteSink::Create(env, out, CreateMode::kTruncate));
  ZipWriter writer(sink.get());
  const EntryOptions options;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string_view name = zip->entries()[i].name;
    ARKWIKI_RETURN_IF_ERROR(name == kManifestPath
                                ? writer.AddBytes(name, SerializeManifest(manifest), options)
                                : writer.AddFile(name, env, paths[i], options));
  }
  ARKWIKI_RETURN_IF_ERROR(writer.Finish());
  ARKWIKI_RETURN_IF_ERROR(sink->Close());
  return row;
}

}  // namespace arkwiki::drill
