#include "arkwiki/storage/db.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <utility>

#include "arkwiki/core/clock.h"
#include "arkwiki/storage/db_wait.h"
#include "sqlite_calls.h"

namespace arkwiki {
namespace {

constexpr std::size_t kConnectTimeoutSeconds = 2;

using Poco::Data::Keywords::bind;

Status FromSqliteException(const std::string& what, const Poco::Exception& e) {
  std::string message = what + ": " + e.displayText();
  if (dynamic_cast<const Poco::Data::SQLite::DBLockedException*>(&e) ||
      dynamic_cast<const Poco::Data::SQLite::TableLockedException*>(&e)) {
    return Status::Busy(message);
  }
  if (dynamic_cast<const Poco::Data::SQLite::DatabaseFullException*>(&e)) {
    return Status::NoSpace(message);
  }
  if (dynamic_cast<const Poco::Data::SQLite::CorruptImageException*>(&e) ||
      (dynamic_cast<const Poco::Data::SQLite::InvalidSQLStatementException*>(&e) == nullptr &&
       message.find("malformed") != std::string::npos)) {
    return Status::Corruption(message);
  }
  if (dynamic_cast<const Poco::Data::SQLite::ConstraintViolationException*>(&e)) {
    return Status::Conflict(message);
  }
  if (dynamic_cast<const Poco::Data::SQLite::ReadOnlyException*>(&e) ||
      dynamic_cast<const Poco::Data::SQLite::CantOpenDBFileException*>(&e)) {
    return Status::PermissionDenied(message);
  }
  if (dynamic_cast<const Poco::Data::SQLite::IOErrorException*>(&e)) {
    return Status::IoError(message);
  }
  return Status::IoError(message);
}

void RegisterConnectorOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
}

}  // namespace

int64_t SqlRow::Int(size_t i) const {
  const auto& c = cells.at(i);
  return c ? std::stoll(*c) : 0;
}

const std::string& SqlRow::Text(size_t i) const {
  static const std::string kEmpty;
  const auto& c = cells.at(i);
  return c ? *c : kEmpty;
}

std::optional<int64_t> SqlRow::OptInt(size_t i) const {
  const auto& c = cells.at(i);
  if (!c) return std::nullopt;
  return std::stoll(*c);
}

Db::Db(std::string path, std::unique_ptr<Poco::Data::Session> session)
    : path_(std::move(path)), session_(std::move(session)) {}

Db::~Db() {
  try {
    session_->close();
  } catch (const Poco::Exception&) {  // closing must not throw out of a destructor
  }
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  RegisterConnectorOnce();
  // file: URIs let tests pick a VFS (?vfs=) and open read-only (?mode=ro).
  std::string uri = path.rfind("file:", 0) == 0 ? path : "file:" + path;
  if (options.read_only)
    uri += (uri.find('?') == std::string::npos ? "?" : "&") + std::string("mode=ro");
  // SQLite creates a missing file unless read-only; a read-only open of a
  // missing file would otherwise spin in Poco's connect retry until its
  // login timeout. Say what is wrong at once instead.
  if (options.read_only && path.rfind("file:", 0) != 0 && ::access(path.c_str(), F_OK) != 0) {
    return Status::NotFound("database " + path + " does not exist");
  }
  std::unique_ptr<Poco::Data::Session> session;
  try {
    // A local file opens at once or not at all: no 60 s connect retry.
    session = std::make_unique<Poco::Data::Session>("SQLite", uri, kConnectTimeoutSeconds);
  } catch (const Poco::Exception& e) {
    return FromSqliteException("open database " + path, e);
  }
  std::unique_ptr<Db> db(new Db(path, std::move(session)));
  sqlite3_busy_timeout(db->raw_handle(), options.busy_timeout_ms);
  // Every connection, the live one included, can neither rewrite the schema
  // (writable_schema, shadow tables) nor run functions the schema names.
  for (const auto& [flag, on] :
       {std::pair{SQLITE_DBCONFIG_DEFENSIVE, 1}, std::pair{SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0}}) {
    int set = -1;
    if (sqlite3_db_config(db->raw_handle(), flag, on, &set) != SQLITE_OK || set != on) {
      return Status::IoError("cannot open " + path + " in SQLite's defensive mode");
    }
  }
  ARKWIKI_RETURN_IF_ERROR(db->Exec("PRAGMA foreign_keys=ON"));
  if (!options.read_only) {
    ARKWIKI_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
    if (options.wal) {
      ARKWIKI_ASSIGN_OR_RETURN(SqlRows mode, db->Query("PRAGMA journal_mode=WAL"));
      if (mode.empty() || mode[0].Text(0) != "wal") {
        return Status::IoError("cannot switch " + path + " to WAL mode");
      }
    }
  }
  return db;
}

std::unique_lock<std::recursive_mutex> Db::LockCounted() {
  std::unique_lock<std::recursive_mutex> lock(mutex_, std::try_to_lock);
  if (lock.owns_lock()) return lock;
  const auto from = std::chrono::steady_clock::now();
  if (waiting_.fetch_add(1) == 0) waiting_since_ms_ = SteadyMillis();
  lock.lock();
  --waiting_;
  CountThreadDbWait(std::chrono::steady_clock::now() - from);
  return lock;
}

int64_t Db::waiting_ms() const {
  if (waiting_ == 0) return 0;
  return SteadyMillis() - waiting_since_ms_;
}

sqlite3* Db::raw_handle() { return Poco::Data::SQLite::Utility::dbHandle(*session_); }

Status Db::Exec(const std::string& sql, const std::vector<SqlParam>& params) {
  const auto lock = LockCounted();
  return ExecLocked(sql, params, nullptr);
}

Result<SqlRows> Db::Query(const std::string& sql, const std::vector<SqlParam>& params) {
  const auto lock = LockCounted();
  SqlRows rows;
  ARKWIKI_RETURN_IF_ERROR(ExecLocked(sql, params, &rows));
  return rows;
}

Result<int64_t> Db::QueryInt(const std::string& sql, const std::vector<SqlParam>& params) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, Query(sql, params));
  if (rows.empty() || rows[0].cells.empty() || rows[0].IsNull(0)) {
    return Status::NotFound("no value for: " + sql);
  }
  return rows[0].Int(0);
}

Status Db::ForEachRow(const std::string& sql, const std::function<Status(sqlite3_stmt*)>& on_row) {
  const auto lock = LockCounted();
  sqlite3* handle = raw_handle();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &raw, nullptr);
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  while (rc == SQLITE_OK && (rc = sqlite3_step(st.get())) == SQLITE_ROW) {
    ARKWIKI_RETURN_IF_ERROR(on_row(st.get()));
    rc = SQLITE_OK;
  }
  if (rc == SQLITE_DONE) return Status::Ok();
  return StatusFromSqliteCode(rc, sql.substr(0, 60) + ": " + sqlite3_errmsg(handle));
}

Status Db::ExecScript(const std::string& sql) {
  const auto lock = LockCounted();
  char* error = nullptr;
  int rc = sqlite3_exec(raw_handle(), sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  std::string message = error ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  int primary = rc & 0xff;
  if (primary == SQLITE_FULL) return Status::NoSpace(message);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corruption(message);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Busy(message);
  if (primary == SQLITE_READONLY) return Status::PermissionDenied(message);
  return Status::IoError(message);
}

int64_t Db::LastInsertId() {
  const auto lock = LockCounted();
  return sqlite3_last_insert_rowid(raw_handle());
}

int64_t Db::Changes() {
  const auto lock = LockCounted();
  return sqlite3_changes(raw_handle());
}

Status Db::ExecLocked(const std::string& sql, const std::vector<SqlParam>& params, SqlRows* rows) {
  try {
    Poco::Data::Statement st(*session_);
    st << sql;
    for (const SqlParam& p : params) {
      switch (p.kind()) {
        case SqlParam::kInt:
          st, bind(static_cast<Poco::Int64>(p.int_value()));
          break;
        case SqlParam::kText:
          st, bind(p.text_value());
          break;
        case SqlParam::kNull:
          st, bind(Poco::Data::Keywords::null);
          break;
      }
    }
    st.execute();
    if (rows == nullptr || st.columnsExtracted() == 0) return Status::Ok();
    Poco::Data::RecordSet rs(st);
    const size_t cols = rs.columnCount();
    for (size_t r = 0; r < rs.rowCount(); ++r) {
      SqlRow row;
      row.cells.reserve(cols);
      for (size_t c = 0; c < cols; ++c) {
        if (rs.isNull(c, r)) {
          row.cells.emplace_back(std::nullopt);
        } else {
          row.cells.emplace_back(rs.value(c, r).convert<std::string>());
        }
      }
      rows->push_back(std::move(row));
    }
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return FromSqliteException(sql.substr(0, 60), e);
  }
}

Status Db::Transaction(const std::function<Status(Db&)>& fn) {
  const auto lock = LockCounted();
  if (in_transaction_) return Status::InvalidArgument("nested transaction");
  ARKWIKI_RETURN_IF_ERROR(ExecLocked("BEGIN IMMEDIATE", {}, nullptr));
  in_transaction_ = true;
  transaction_thread_ = std::this_thread::get_id();
  Status s = fn(*this);
  if (s.ok()) s = ExecLocked("COMMIT", {}, nullptr);
  if (!s.ok()) (void)ExecLocked("ROLLBACK", {}, nullptr);  // the first error is what matters
  transaction_thread_ = std::thread::id();
  in_transaction_ = false;
  return s;
}

}  // namespace arkwiki
