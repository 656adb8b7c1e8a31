// The load test's clients. Each runs on its own thread, waits at the start
// latch, then makes its fixed count of requests, recording every latency
// and every unexpected outcome in the LoadLog; an unexpected outcome is
// recorded and the client goes on, so that every client makes its count.
// The health prober runs until the run's StopSignal.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <latch>
#include <mutex>

#include "load/load_log.h"
#include "load/load_options.h"
#include "load/load_wiki.h"

namespace arkwiki::load {

// Kinds of request, as the report names them.
inline constexpr char kPageView[] = "page view";
// A page view that began while a backup download was streaming (kept apart,
// so that one run gives page-view latencies with and without a backup).
inline constexpr char kPageViewDuringBackup[] = "view in backup";
inline constexpr char kEditForm[] = "edit form";
inline constexpr char kSave[] = "save";
inline constexpr char kSearch[] = "search";
inline constexpr char kWideView[] = "wide view";
inline constexpr char kBackup[] = "backup";
inline constexpr char kHealth[] = "health";

// Set once, when the counted clients are done (or the watchdog fires).
class StopSignal {
 public:
  void Set();
  bool IsSet() const;
  // Waits up to `d`; true if the signal was set by then.
  bool WaitFor(std::chrono::milliseconds d) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool set_ = false;
};

struct ClientContext {
  int port = 0;
  const LoadWiki* wiki = nullptr;
  const LoadOptions* options = nullptr;
  LoadLog* log = nullptr;
  std::latch* start = nullptr;
  // Backup downloads in flight (RunBackups counts its own).
  std::atomic<int>* backups_running = nullptr;
};

// Anonymous page views (GET /wiki/<slug>) over the seeded pages, recorded
// as kPageViewDuringBackup when a backup download was in flight as the view
// began, else as kPageView.
void RunBrowser(const ClientContext& c, int id);
// Logs in through the form, then per save: GET the edit form, POST it.
void RunEditor(const ClientContext& c, int id);
// Pathological searches (budget answers: 200, possibly truncated, or 409
// busy), each followed by a view of the wide-table page.
void RunSearcher(const ClientContext& c, int id);
// Backups downloaded (POST /api/backups), streamed and discarded.
void RunBackups(const ClientContext& c);
// GET /api/health from a fresh connection every health_gap_ms until `stop`.
void RunHealthProbe(const ClientContext& c, const StopSignal& stop);

}  // namespace arkwiki::load
