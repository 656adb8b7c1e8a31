// ReadPool: a few read-only connections for reads that may be slow (search),
// each run under a time and work budget.
//
// A query on the pool never holds the writer connection, so page views and
// saves do not queue behind it, and one slow query holds only its own pool
// connection. Read-only connections never checkpoint, so they are safe with
// SQLite 3.40's WAL-reset bug (see db.h). Connections open lazily, on first
// use, and stay open until the pool is destroyed.
//
// Budgets are enforced with sqlite3_progress_handler, which SQLite calls every
// QueryBudget::progress_opcodes virtual-machine instructions of a statement. Work done inside one
// call of an SQL function or a virtual table method (an FTS5 snippet() or doclist merge) is not
// interrupted midway, so callers must bound the input of such calls themselves.
//
// For end-to-end tests only: when the environment variable
// ARKWIKI_TEST_STALL_READS is set, every pool query stops at its first
// progress callback until Shutdown(), so a test can hold a search "running"
// for as long as it needs. Never set it in production.
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

class ReadPool {
 public:
  // `path` as for Db::Open; `size` connections at most.
  ReadPool(std::string path, int size);
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
  void Release(Db* db);
  void WaitForShutdown();

  const std::string path_;
  const int size_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;  // a connection was released, or shutdown
  std::vector<std::unique_ptr<Db>> idle_;
  int opened_ = 0;
  int waiting_ = 0;
  int running_ = 0;
  QueryBudget::Clock::time_point waiting_since_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace arkwiki
