// Db: arkwiki's one adapter to SQLite through Poco::Data.
//
// Poco exceptions stop here and become Status values. A Db owns one
// connection guarded by a mutex, so it is safe to share across Poco's thread
// pool. The server keeps exactly one writable Db per data directory: SQLite
// 3.40's WAL-reset bug (docs/design-notes.md#sqlite-wal-reset-bug-and-the-one-writer-connection)
// needs two connections writing or checkpointing at once, and one writer connection rules that out.
// Backups read through separate read-only connections, which never checkpoint.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "arkwiki/core/status.h"

struct sqlite3;
struct sqlite3_stmt;
namespace Poco::Data {
class Session;
}

namespace arkwiki {

// A bound statement parameter.
class SqlParam {
 public:
  SqlParam(int64_t v) : kind_(kInt), int_(v) {}                   // NOLINT
  SqlParam(int v) : kind_(kInt), int_(v) {}                       // NOLINT
  SqlParam(std::string v) : kind_(kText), text_(std::move(v)) {}  // NOLINT
  SqlParam(const char* v) : kind_(kText), text_(v) {}             // NOLINT
  SqlParam(std::nullopt_t) : kind_(kNull) {}                      // NOLINT
  SqlParam(std::optional<int64_t> v)                              // NOLINT
      : kind_(v ? kInt : kNull), int_(v.value_or(0)) {}
  enum Kind { kInt, kText, kNull };
  Kind kind() const { return kind_; }
  int64_t int_value() const { return int_; }
  const std::string& text_value() const { return text_; }

 private:
  Kind kind_;
  int64_t int_ = 0;
  std::string text_;
};

// One result row. Columns are read by position; NULL reads as 0 / "".
class SqlRow {
 public:
  std::vector<std::optional<std::string>> cells;
  bool IsNull(size_t i) const { return !cells.at(i).has_value(); }
  int64_t Int(size_t i) const;
  const std::string& Text(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
};
using SqlRows = std::vector<SqlRow>;

struct DbOptions {
  bool read_only = false;
  // WAL for the server's writer connection; readers follow the file's mode.
  bool wal = true;
  int busy_timeout_ms = 10000;
};

class Db {
 public:
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  Status Exec(const std::string& sql, const std::vector<SqlParam>& params = {});
  // Runs several ';'-separated statements with no parameters (migrations).
  Status ExecScript(const std::string& sql);
  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlParam>& params = {});
  // Steps through the rows of `sql` (no parameters) on the SQLite handle
  // itself, calling on_row with the statement on each row (read it with
  // sqlite3_column_*; valid only during the call); stops at its first error.
  // For queries whose rows grow with the wiki (one per upload): Query goes
  // through Poco's RecordSet, a Dynamic::Var per cell with every row held
  // twice over (~1 KB per row for one hash column; benchmarks/README.md).
  // Errors: Corruption for a damaged file, NoSpace, IoError otherwise.
  Status ForEachRow(const std::string& sql, const std::function<Status(sqlite3_stmt*)>& on_row);
  // First row's first column, or NotFound.
  Result<int64_t> QueryInt(const std::string& sql, const std::vector<SqlParam>& params = {});
  int64_t LastInsertId();
  int64_t Changes();

  // Runs fn inside BEGIN IMMEDIATE .. COMMIT; rolls back when fn fails.
  // Transactions do not nest: fn must use the Db it is given.
  Status Transaction(const std::function<Status(Db&)>& fn);
  // True while the calling thread runs inside Transaction: its reads must
  // then go to this connection, the only one that sees its own writes.
  bool InTransactionOnThisThread() const {
    return transaction_thread_.load() == std::this_thread::get_id();
  }

  // Raw handle for the online backup API and pragmas Poco does not expose.
  // Hold lock() while using it.
  sqlite3* raw_handle();
  std::recursive_mutex& lock() { return mutex_; }
  const std::string& path() const { return path_; }

  // Callers of this Db's own methods blocked on its mutex right now, and the
  // milliseconds for which at least one has been waiting without the queue
  // ever draining (0 when none waits). For health reports.
  int waiting() const { return waiting_; }
  int64_t waiting_ms() const;

 private:
  Db(std::string path, std::unique_ptr<Poco::Data::Session> session);
  Status ExecLocked(const std::string& sql, const std::vector<SqlParam>& params, SqlRows* rows);
  // Takes mutex_, counting the caller in waiting_ while it is blocked.
  std::unique_lock<std::recursive_mutex> LockCounted();

  std::string path_;
  std::unique_ptr<Poco::Data::Session> session_;
  std::recursive_mutex mutex_;
  bool in_transaction_ = false;
  std::atomic<std::thread::id> transaction_thread_{};
  std::atomic<int> waiting_{0};
  std::atomic<int64_t> waiting_since_ms_{0};  // steady clock, set when waiting_ leaves 0
};

}  // namespace arkwiki
