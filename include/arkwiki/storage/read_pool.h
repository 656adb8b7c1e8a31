// ReadPool: a few read-only connections, each query run under a time and
// work budget. Storage keeps two: one for reads that may be slow (search),
// and one for the short reads of page views (pages, revisions, lists,
// backlinks, uploads, settings).
//
// A query on a pool never holds the writer connection, so reads do not
// queue behind a save, a backup snapshot or a slow search, and one slow
// query holds only its own pool connection. Every query sees the data
// committed when it starts (WAL), never a transaction still open on the
// writer. Read-only connections never checkpoint, so they are safe with
// SQLite 3.40's WAL-reset bug (see db.h). Connections open lazily, on first
// use, and stay open until the pool is destroyed.
//
// Budgets are enforced with sqlite3_progress_handler, which SQLite calls every
// QueryBudget::progress_opcodes virtual-machine instructions of a statement. Work done inside one
// call of an SQL function or a virtual table method (an FTS5 snippet() or doclist merge) is not
// interrupted midway, so callers must bound the input of such calls themselves.
//
// For end-to-end tests only: when the environment variable
// ARKWIKI_TEST_STALL_READS is set, every query of a pool made with
// ReadPoolOptions::test_stall stops at its first progress callback until
// Shutdown(), so a test can hold a search "running" for as long as it
// needs. Never set it in production.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

struct QueryBudget {
  using Clock = std::chrono::steady_clock;
  // Wall time from Acquire; waiting for a free connection counts too.
  Clock::duration time = std::chrono::seconds(2);
  // SQLite virtual-machine instructions between progress callbacks.
  int progress_opcodes = 1000;
  // Progress callbacks before the query is stopped: about 200 M
  // instructions with the default spacing, a second or two of work.
  int64_t max_steps = 200000;
  // The clock deadlines are read from; tests inject their own.
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  // Test seam: runs on every progress callback before the budget checks.
  std::function<void()> on_progress;
};

// Why a query stopped early; kNone if it did not.
enum class QueryStop { kNone, kTime, kWork, kShutdown };
const char* QueryStopName(QueryStop stop);

struct ReadPoolOptions {
  int size = 3;  // connections at most
  // The budget of Query(); Acquire takes its own.
  QueryBudget budget;
  // Whether ARKWIKI_TEST_STALL_READS stalls this pool's queries.
  bool test_stall = true;
};

class ReadPool {
 public:
  // `path` as for Db::Open; `size` connections at most.
  ReadPool(std::string path, int size);
  ReadPool(std::string path, ReadPoolOptions options);
  ~ReadPool();
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // One connection, held until the lease is destroyed. Its queries run
  // under the budget given to Acquire; once the budget is spent (or the
  // pool shuts down) every statement fails and stop() says why.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Db& db() { return *db_; }
    QueryStop stop() const;

   private:
    friend class ReadPool;
    struct State;
    Lease(ReadPool* pool, Db* db, std::unique_ptr<State> state);
    ReadPool* pool_;
    Db* db_;
    std::unique_ptr<State> state_;
  };

  // Waits for a free connection until the budget's deadline. Errors: Busy
  // when none frees in time or the pool is shutting down; what Db::Open
  // returns when a connection cannot be opened.
  Result<Lease> Acquire(const QueryBudget& budget);

  // One query on a connection of its own, under the pool's budget: Acquire,
  // then Db::Query. Errors: those of Acquire and Db::Query; a spent budget
  // fails the query (IoError, "interrupted").
  Result<SqlRows> Query(const std::string& sql, const std::vector<SqlParam>& params = {});
  // First row's first column, or NotFound (as Db::QueryInt).
  Result<int64_t> QueryInt(const std::string& sql, const std::vector<SqlParam>& params = {});

  // Stops every running query at its next progress callback and refuses
  // new ones (Busy). For server shutdown; there is no way back.
  void Shutdown();

  // Requests waiting for a connection, and leases held.
  int waiting() const;
  int running() const;
  // Milliseconds for which at least one request has been waiting without
  // the queue ever draining; 0 when none waits.
  int64_t waiting_ms() const;

 private:
  static int OnProgress(void* state);
  // Whether this pool's queries stall (ARKWIKI_TEST_STALL_READS).
  bool Stalls() const;
  void Release(Db* db);
  void WaitForShutdown();

  const std::string path_;
  const int size_;
  const QueryBudget budget_;
  const bool test_stall_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;    // a connection was released, or shutdown
  std::condition_variable stopped_;  // shutdown (for ARKWIKI_TEST_STALL_READS)
  std::vector<std::unique_ptr<Db>> idle_;
  int opened_ = 0;
  int waiting_ = 0;
  int running_ = 0;
  QueryBudget::Clock::time_point waiting_since_;
  std::atomic<bool> shutdown_{false};
};

// A read of committed rows: on `views` when given, else on `writer` (a
// store built without a view pool, as in tools and some tests). Inside a
// transaction of `writer` on the calling thread it reads on `writer`, so
// that the caller sees what it wrote (UploadStore::Commit returns the row
// it inserted, whether or not its caller batches commits in a transaction).
Result<SqlRows> ReadCommitted(Db* writer, ReadPool* views, const std::string& sql,
                              const std::vector<SqlParam>& params = {});
Result<int64_t> ReadCommittedInt(Db* writer, ReadPool* views, const std::string& sql,
                                 const std::vector<SqlParam>& params = {});

}  // namespace arkwiki
