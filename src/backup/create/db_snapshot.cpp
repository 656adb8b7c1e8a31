#include "create/db_snapshot.h"

#include <sqlite3.h>

#include <chrono>
#include <memory>

#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/schema.h"
#include "arkwiki/storage/settings_store.h"
#include "format/upload_rows.h"
#include "verify/schema_match.h"

namespace arkwiki {
namespace {

Status CopyWithBackupApi(Db& source, const std::string& dest, double* millis) {
  sqlite3* out = nullptr;
  if (sqlite3_open_v2(dest.c_str(), &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string message = out ? sqlite3_errmsg(out) : "out of memory";
    sqlite3_close(out);
    return Status::IoError("cannot create snapshot " + dest + ": " + message);
  }
  // The snapshot is scratch: it is hashed after it is made, and a crash
  // loses only the unfinished backup, so nothing here waits for the disk.
  (void)sqlite3_exec(out, "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  auto start = std::chrono::steady_clock::now();
  int rc = SQLITE_ERROR;
  {
    std::lock_guard<std::recursive_mutex> lock(source.lock());
    sqlite3_backup* backup = sqlite3_backup_init(out, "main", source.raw_handle(), "main");
    if (backup != nullptr) {
      rc = sqlite3_backup_step(backup, -1);  // all pages, one read transaction
      sqlite3_backup_finish(backup);
    }
  }
  *millis =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::string message = sqlite3_errmsg(out);
  sqlite3_close(out);
  if (rc == SQLITE_DONE) return Status::Ok();
  if (rc == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR) {
    return Status::NoSpace("writing the database snapshot " + dest + " failed: " + message);
  }
  return Status::IoError("database snapshot failed: " + message);
}

// The upload rows, through Db::ForEachRow: Db::Query's RecordSet cost more
// time for 50,000 uploads than the database copy itself
// (benchmarks/README.md). The rows are sorted in runs written beside
// `dest`: held whole, they were 42 MB of a backup's peak at 1,000,000
// uploads, beside the list they make.
Result<std::unique_ptr<UploadRows>> ReadUploadRows(Env* env, const std::string& dest,
                                                   size_t run_rows, Db& db) {
  auto rows = std::make_unique<UploadRows>(env, dest + ".upload-rows-", run_rows);
  Status s = db.ForEachRow(kUploadRowsQuery, [&](sqlite3_stmt* st) { return rows->Add(st); });
  if (s.code() == StatusCode::kIoError || s.code() == StatusCode::kBusy) {
    return Status::IoError("reading the uploads of the database snapshot failed: " + s.message());
  }
  ARKWIKI_RETURN_IF_ERROR(s);
  return rows;
}

Status ReadSnapshotContents(Env* env, const std::string& dest, size_t run_rows, Db& db,
                            RowCheck rows, DatabaseSnapshot* info) {
  ARKWIKI_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  if (version != kSchemaVersion) {
    return Status::Unsupported("the database is at schema " + std::to_string(version) +
                               " but this arkwiki writes schema " + std::to_string(kSchemaVersion) +
                               "; start the server once to "
                               "migrate it");
  }
  info->schema_version = version;
  // A row the API could not have written (tampered by hand) is reported
  // here rather than copied into every backup; checked on the copy so that
  // the live wiki is not held up.
  if (rows == RowCheck::kCheck) ARKWIKI_RETURN_IF_ERROR(CheckLiveDatabaseRows(db));
  ARKWIKI_ASSIGN_OR_RETURN(info->counts.pages,
                           db.QueryInt("SELECT count(*) FROM pages WHERE deleted_at IS NULL"));
  ARKWIKI_ASSIGN_OR_RETURN(info->counts.revisions, db.QueryInt("SELECT count(*) FROM revisions"));
  ARKWIKI_ASSIGN_OR_RETURN(info->counts.users, db.QueryInt("SELECT count(*) FROM users"));
  ARKWIKI_ASSIGN_OR_RETURN(info->counts.uploads, db.QueryInt("SELECT count(*) FROM uploads"));
  // Every setting with its effective value, defaults included.
  SettingsStore store(&db);
  ARKWIKI_ASSIGN_OR_RETURN(SiteSettings settings, store.Load());
  info->settings = SettingsToMap(settings);
  ARKWIKI_ASSIGN_OR_RETURN(info->upload_rows, ReadUploadRows(env, dest, run_rows, db));
  return Status::Ok();
}

Status PrepareSnapshot(Env* env, const std::string& dest, size_t run_rows, RowCheck rows,
                       DatabaseSnapshot* info) {
  DbOptions options;
  options.wal = false;
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(dest, options));
  ARKWIKI_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=OFF"));  // scratch (see above)
  // Sessions are live credentials; secure_delete (Debian's default) zeroes
  // the freed pages, so no token hash lingers in the file.
  ARKWIKI_RETURN_IF_ERROR(db->Exec("PRAGMA secure_delete=ON"));
  ARKWIKI_RETURN_IF_ERROR(db->Exec("DELETE FROM sessions"));
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows mode, db->Query("PRAGMA journal_mode=DELETE"));
  if (mode.empty() || mode[0].Text(0) != "delete") {
    return Status::IoError("cannot set the snapshot's journal mode");
  }
  return ReadSnapshotContents(env, dest, run_rows, *db, rows, info);
}

}  // namespace

Result<DatabaseSnapshot> SnapshotDatabase(Env* env, const DataDirLayout& layout,
                                          const std::string& dest, RowCheck rows,
                                          size_t upload_run_rows) {
  DbOptions ro;
  ro.read_only = true;
  ARKWIKI_ASSIGN_OR_RETURN(auto source, Db::Open(layout.database, ro));
  ARKWIKI_RETURN_IF_ERROR(CheckLiveDatabaseSchema(*source));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t pages, source->QueryInt("PRAGMA page_count"));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t page_size, source->QueryInt("PRAGMA page_size"));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t uploads, source->QueryInt("SELECT count(*) FROM uploads"));
  const uint64_t needed = static_cast<uint64_t>(pages * page_size) * 11 / 10 + (1 << 20) +
                          2 * UploadRowsScratchBytes(uploads);
  ARKWIKI_RETURN_IF_ERROR(CheckFreeSpace(env, DirName(dest), needed, "the database snapshot"));
  DatabaseSnapshot info;
  Status s = CopyWithBackupApi(*source, dest, &info.copy_millis);
  source.reset();
  if (s.ok()) s = PrepareSnapshot(env, dest, upload_run_rows, rows, &info);
  if (!s.ok()) {
    (void)env->RemoveFile(dest);  // nothing half-made may stay behind
    (void)env->RemoveFile(dest + "-journal");
    return s;
  }
  return info;
}

}  // namespace arkwiki
