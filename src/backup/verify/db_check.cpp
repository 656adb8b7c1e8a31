// CheckUntrustedDatabase: the hardened open of a database from an archive.
//
// This talks to sqlite3 directly rather than through Poco::Data: the
// defensive flags must be set on the connection before SQLite reads a
// single byte of the untrusted schema, and Poco's session runs statements
// of its own first. Nothing here writes to the file.
#include <sqlite3.h>

#include <functional>
#include <memory>

#include "arkwiki/core/cancellation.h"
#include "arkwiki/storage/row_check.h"
#include "arkwiki/storage/schema.h"
#include "arkwiki/storage/schema_catalog.h"
#include "format/upload_rows.h"
#include "verify/db_check.h"

namespace arkwiki {
namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Handle = std::unique_ptr<sqlite3, Closer>;

// Runs `sql` and collects the first column of each row as text.
// Calls on_row with the first column of each row (NULL as "").
template <class OnRow>
Status ForEachRow(sqlite3* db, const std::string& sql, OnRow&& on_row) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return Status::Corruption("the database cannot be read (" + std::string(sqlite3_errmsg(db)) +
                              ")");
  }
  int rc = SQLITE_DONE;
  Status s;
  while (s.ok() && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(st, 0);
    s = on_row(std::string_view(text ? reinterpret_cast<const char*>(text) : ""));
  }
  sqlite3_finalize(st);
  if (!s.ok()) return s;
  if (rc != SQLITE_DONE) {
    return Status::Corruption("the database is damaged (" + std::string(sqlite3_errstr(rc)) + ")");
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Column(sqlite3* db, const std::string& sql) {
  std::vector<std::string> out;
  ARKWIKI_RETURN_IF_ERROR(ForEachRow(db, sql, [&](std::string_view text) {
    out.emplace_back(text);
    return Status::Ok();
  }));
  return out;
}

// One scan of the table, sorted in bounded runs spilled beside the database
// file (format/upload_rows.h says why not in SQL). The row check has made
// every size a whole number and every hash lowercase hex.
Status ForEachUploadHash(Env* env, sqlite3* db, const std::string& path,
                         const UploadHashCallback& on_hash) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, kUploadRowsQuery, -1, &st, nullptr) != SQLITE_OK) {
    return Status::Corruption("the database cannot be read (" + std::string(sqlite3_errmsg(db)) +
                              ")");
  }
  UploadRows rows(env, path + ".upload-rows-");
  int rc = SQLITE_DONE;
  Status s;
  while (s.ok() && (rc = sqlite3_step(st)) == SQLITE_ROW) s = rows.Add(st);
  sqlite3_finalize(st);
  ARKWIKI_RETURN_IF_ERROR(s);
  if (rc != SQLITE_DONE) {
    return Status::Corruption("the database is damaged (" + std::string(sqlite3_errstr(rc)) + ")");
  }
  return rows.ForEachDistinct([&](const Sha256Raw& hash, uint64_t min_size, uint64_t max_size) {
    if (min_size != max_size) {
      return Status::Corruption("uploads rows for " + HexEncode(hash.data(), hash.size()) +
                                " disagree on its size");
    }
    on_hash(hash, min_size);
    return Status::Ok();
  });
}

Result<int64_t> Number(sqlite3* db, const std::string& sql) {
  ARKWIKI_ASSIGN_OR_RETURN(auto rows, Column(db, sql));
  if (rows.empty()) return Status::Corruption("no answer to " + sql);
  return std::stoll(rows[0]);
}

// SQLite calls this every kProgressSteps virtual-machine steps; a non-zero
// answer interrupts the running statement (SQLITE_INTERRUPT).
constexpr int kProgressSteps = 1000;
int StopWhenCancelled(void* cancel) {
  return static_cast<const Cancellation*>(cancel)->cancelled() ? 1 : 0;
}

Result<Handle> OpenHardened(const std::string& path) {
  sqlite3* raw = nullptr;
  std::string uri = "file:" + path + "?mode=ro";
  int rc = sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  Handle db(raw);
  if (rc != SQLITE_OK) return Status::Corruption("the database cannot be opened");
  for (const int flag : {SQLITE_DBCONFIG_DEFENSIVE, SQLITE_DBCONFIG_TRUSTED_SCHEMA,
                         SQLITE_DBCONFIG_ENABLE_TRIGGER, SQLITE_DBCONFIG_ENABLE_VIEW}) {
    int set = -1;
    const int on = flag == SQLITE_DBCONFIG_DEFENSIVE ? 1 : 0;
    if (sqlite3_db_config(raw, flag, on, &set) != SQLITE_OK || set != on) {
      return Status::Corruption("the database cannot be opened safely");
    }
  }
  for (const char* pragma : {"PRAGMA trusted_schema=OFF", "PRAGMA cell_size_check=ON",
                             "PRAGMA mmap_size=0", "PRAGMA query_only=ON"}) {
    if (sqlite3_exec(raw, pragma, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return Status::Corruption("the database cannot be opened safely");
    }
  }
  return db;
}

}  // namespace

namespace {

Result<DatabaseCheck> CheckOpenedDatabase(Env* env, const std::string& path,
                                          const UploadHashCallback& on_upload_hash,
                                          const Cancellation* cancel) {
  for (const char* suffix : {"-wal", "-journal", "-shm"}) {
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(path + suffix));
    if (exists) {
      return Status::Corruption("a " + std::string(suffix + 1) +
                                " file lies beside the "
                                "database; refusing it");
    }
  }
  ARKWIKI_ASSIGN_OR_RETURN(Handle db, OpenHardened(path));
  if (cancel != nullptr) {
    // SQLite takes a void* it only hands back to StopWhenCancelled, which
    // reads through it.
    sqlite3_progress_handler(db.get(), kProgressSteps, StopWhenCancelled,
                             const_cast<Cancellation*>(cancel));
  }
  ARKWIKI_ASSIGN_OR_RETURN(int64_t app_id, Number(db.get(), "PRAGMA application_id"));
  if (app_id != kApplicationId) {
    return Status::Corruption("the database is not an arkwiki database (application_id " +
                              std::to_string(app_id) + ")");
  }
  ARKWIKI_ASSIGN_OR_RETURN(int64_t version, Number(db.get(), "PRAGMA user_version"));
  if (version > kSchemaVersion) {
    return Status::Unsupported("the backup's database is at schema version " +
                               std::to_string(version) + ", newer than this arkwiki (" +
                               std::to_string(kSchemaVersion) + "); upgrade arkwiki first");
  }
  if (version < 1) return Status::Corruption("the database has no arkwiki schema");
  // Exactly the schema of its version, before any other statement reads
  // through that schema.
  ARKWIKI_RETURN_IF_ERROR(CheckSchemaIsExact(db.get(), static_cast<int>(version)));
  ARKWIKI_ASSIGN_OR_RETURN(auto integrity, Column(db.get(), "PRAGMA integrity_check"));
  if (integrity.size() != 1 || integrity[0] != "ok") {
    return Status::Corruption("the database failed SQLite's integrity check: " +
                              (integrity.empty() ? std::string("no answer") : integrity[0]));
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto fk, Column(db.get(), "PRAGMA foreign_key_check"));
  if (!fk.empty()) {
    return Status::Corruption("the database has broken references (table " + fk[0] + ")");
  }
  // Every value, by the rules arkwiki's API applies when it writes one.
  ARKWIKI_RETURN_IF_ERROR(CheckRowsAreValid(db.get(), static_cast<int>(version)));
  DatabaseCheck check;
  check.schema_version = static_cast<int>(version);
  ARKWIKI_ASSIGN_OR_RETURN(check.counts.pages,
                           Number(db.get(), "SELECT count(*) FROM pages WHERE deleted_at IS NULL"));
  ARKWIKI_ASSIGN_OR_RETURN(check.counts.revisions,
                           Number(db.get(), "SELECT count(*) FROM revisions"));
  ARKWIKI_ASSIGN_OR_RETURN(check.counts.users, Number(db.get(), "SELECT count(*) FROM users"));
  ARKWIKI_ASSIGN_OR_RETURN(check.counts.uploads, Number(db.get(), "SELECT count(*) FROM uploads"));
  ARKWIKI_RETURN_IF_ERROR(CheckCancelled(cancel));
  ARKWIKI_RETURN_IF_ERROR(ForEachUploadHash(env, db.get(), path, on_upload_hash));
  return check;
}

}  // namespace

Result<DatabaseCheck> CheckUntrustedDatabase(Env* env, const std::string& path,
                                             const UploadHashCallback& on_upload_hash,
                                             const Cancellation* cancel) {
  Result<DatabaseCheck> checked = CheckOpenedDatabase(env, path, on_upload_hash, cancel);
  // A statement interrupted for the request fails as SQLite reports it
  // (a damaged database, to the code above); the request is what to say.
  if (!checked.ok() && cancel != nullptr && cancel->cancelled()) return cancel->Check();
  return checked;
}

}  // namespace arkwiki
