#include "arkwiki/storage/read_pool.h"

#include <sqlite3.h>

#include <cstdlib>

#include "arkwiki/storage/db_wait.h"

namespace arkwiki {

const char* QueryStopName(QueryStop stop) {
  switch (stop) {
    case QueryStop::kNone:
      return "none";
    case QueryStop::kTime:
      return "time";
    case QueryStop::kWork:
      return "work";
    case QueryStop::kShutdown:
      return "shutdown";
  }
  return "none";
}

namespace {

bool StallRequested() {
  static const bool requested = std::getenv("ARKWIKI_TEST_STALL_READS") != nullptr;
  return requested;
}

}  // namespace

struct ReadPool::Lease::State {
  ReadPool* pool = nullptr;
  QueryBudget budget;
  QueryBudget::Clock::time_point deadline;
  int64_t steps = 0;
  QueryStop stop = QueryStop::kNone;
};

ReadPool::Lease::Lease(ReadPool* pool, Db* db, std::unique_ptr<State> state)
    : pool_(pool), db_(db), state_(std::move(state)) {
  // A stalled test query stops at its very first instruction.
  const int every = pool_->Stalls() ? 1 : state_->budget.progress_opcodes;
  std::lock_guard<std::recursive_mutex> lock(db_->lock());
  sqlite3_progress_handler(db_->raw_handle(), every, &ReadPool::OnProgress, state_.get());
}

ReadPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), db_(other.db_), state_(std::move(other.state_)) {
  other.pool_ = nullptr;
  other.db_ = nullptr;
}

ReadPool::Lease::~Lease() {
  if (db_ == nullptr) return;
  {
    std::lock_guard<std::recursive_mutex> lock(db_->lock());
    sqlite3_progress_handler(db_->raw_handle(), 0, nullptr, nullptr);
  }
  pool_->Release(db_);
}

QueryStop ReadPool::Lease::stop() const { return state_ ? state_->stop : QueryStop::kNone; }

ReadPool::ReadPool(std::string path, int size)
    : ReadPool(std::move(path), ReadPoolOptions{size, QueryBudget{}, true}) {}

// By value: its budget is moved from.
// cppcheck-suppress passedByValue
ReadPool::ReadPool(std::string path, ReadPoolOptions options)
    : path_(std::move(path)),
      size_(options.size),
      budget_(std::move(options.budget)),
      test_stall_(options.test_stall) {}

bool ReadPool::Stalls() const { return test_stall_ && StallRequested(); }

ReadPool::~ReadPool() = default;

// Called by SQLite on the thread running the query; a non-zero return makes
// the statement fail with SQLITE_INTERRUPT.
int ReadPool::OnProgress(void* opaque) {
  auto* state = static_cast<Lease::State*>(opaque);
  if (state->stop != QueryStop::kNone) return 1;
  if (state->steps == 0 && state->pool->Stalls()) state->pool->WaitForShutdown();
  ++state->steps;
  if (state->budget.on_progress) state->budget.on_progress();
  if (state->pool->shutdown_) {
    state->stop = QueryStop::kShutdown;
  } else if (state->steps > state->budget.max_steps) {
    state->stop = QueryStop::kWork;
  } else if (state->budget.now() >= state->deadline) {
    state->stop = QueryStop::kTime;
  }
  return state->stop == QueryStop::kNone ? 0 : 1;
}

Result<ReadPool::Lease> ReadPool::Acquire(const QueryBudget& budget) {
  auto state = std::make_unique<Lease::State>();
  state->pool = this;
  state->budget = budget;
  state->deadline = budget.now() + budget.time;
  std::unique_lock<std::mutex> lock(mutex_);
  // The wait uses the real clock: an injected clock cannot wake a sleeper.
  const auto wait_until = QueryBudget::Clock::now() + budget.time;
  if (idle_.empty() && opened_ >= size_ && !shutdown_) {
    const auto waited_from = QueryBudget::Clock::now();
    if (waiting_++ == 0) waiting_since_ = waited_from;
    freed_.wait_until(lock, wait_until,
                      [&] { return shutdown_ || !idle_.empty() || opened_ < size_; });
    --waiting_;
    CountThreadDbWait(QueryBudget::Clock::now() - waited_from);
  }
  if (shutdown_) return Status::Busy("the server is shutting down");
  std::unique_ptr<Db> db;
  if (!idle_.empty()) {
    db = std::move(idle_.back());
    idle_.pop_back();
  } else if (opened_ < size_) {
    ++opened_;
    lock.unlock();
    DbOptions options;
    options.read_only = true;
    auto opened = Db::Open(path_, options);
    lock.lock();
    if (!opened.ok()) {
      --opened_;
      freed_.notify_all();
      return opened.status();
    }
    db = std::move(opened).value();
  } else {
    return Status::Busy("every search connection is in use; try again in a moment");
  }
  ++running_;
  Db* raw = db.release();
  return Lease(this, raw, std::move(state));
}

Result<SqlRows> ReadPool::Query(const std::string& sql, const std::vector<SqlParam>& params) {
  ARKWIKI_ASSIGN_OR_RETURN(Lease lease, Acquire(budget_));
  return lease.db().Query(sql, params);
}

Result<int64_t> ReadPool::QueryInt(const std::string& sql, const std::vector<SqlParam>& params) {
  ARKWIKI_ASSIGN_OR_RETURN(Lease lease, Acquire(budget_));
  return lease.db().QueryInt(sql, params);
}

void ReadPool::Release(Db* db) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.emplace_back(db);
  --running_;
  // One connection for one waiter: waking them all, dozens on a busy server,
  // would have all but one go back to sleep.
  freed_.notify_one();
}

void ReadPool::Shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutdown_ = true;
  freed_.notify_all();
  stopped_.notify_all();
}

void ReadPool::WaitForShutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  stopped_.wait(lock, [&] { return shutdown_.load(); });
}

int ReadPool::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waiting_;
}

int ReadPool::running() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_;
}

int64_t ReadPool::waiting_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (waiting_ == 0) return 0;
  return std::chrono::duration_cast<std::chrono::milliseconds>(QueryBudget::Clock::now() -
                                                               waiting_since_)
      .count();
}

Result<SqlRows> ReadCommitted(Db* writer, ReadPool* views, const std::string& sql,
                              const std::vector<SqlParam>& params) {
  const bool on_views = views != nullptr && !writer->InTransactionOnThisThread();
  return on_views ? views->Query(sql, params) : writer->Query(sql, params);
}

Result<int64_t> ReadCommittedInt(Db* writer, ReadPool* views, const std::string& sql,
                                 const std::vector<SqlParam>& params) {
  const bool on_views = views != nullptr && !writer->InTransactionOnThisThread();
  return on_views ? views->QueryInt(sql, params) : writer->QueryInt(sql, params);
}

}  // namespace arkwiki
