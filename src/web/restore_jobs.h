// Imports confirmed in the browser run as background jobs, so the admin
// sees progress while the commit (safety backup, swap) runs. A job holds
// app.exclusive_operation() from start to end: one backup or import at a
// time. Jobs are kept in memory by their staged import's id, for the
// progress and result pages. Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "arkwiki/backup/restore.h"
#include "web/app.h"

namespace arkwiki::web {

struct ImportJob {
  std::string id;                  // the staged import's id
  std::string kind;                // "import" or "undo"
  std::string actor;               // the admin who confirmed it
  std::string state = "running";   // running | done | failed
  std::string phase = "starting";  // then Restorer's: safety backup, preparing, swapping, done
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  std::string message;  // the error, when failed
  double unavailable_millis = 0;
  std::string safety_backup;       // file name under DATA/safety/
  std::string safety_note;         // set when it is not a safety backup archive
  bool must_log_in_again = false;  // the actor's session did not survive
  Manifest restored;               // the backup's manifest, without its file list
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

class ImportJobs {
 public:
  // The process's registry (never destroyed, so a job thread can always
  // reach it).
  static ImportJobs& Instance();

  // Starts committing `staged` on a new thread. Returns once the thread
  // holds app.exclusive_operation(), or Busy (409) if another backup or
  // import holds it. `kind` "undo" also writes "backup.undo" to the audit
  // log afterwards.
  Status Start(WikiApp& app, const StagedImport& staged, const ImportOptions& options,
               const std::string& kind);
  std::optional<ImportJob> Find(const std::string& id) const;
  // Waits until no job runs (for an orderly shutdown).
  void WaitUntilIdle();

 private:
  ImportJobs() = default;
  void Run(WikiApp& app, const StagedImport& staged, const ImportOptions& options,
           const std::string& kind);
  void Update(const std::string& id, const std::function<void(ImportJob&)>& change);
  void Finished();

  mutable std::mutex mu_;
  std::map<std::string, ImportJob> jobs_;
  int running_ = 0;
  std::condition_variable idle_;
};

// The job as JSON for GET /api/restore/status.
Poco::JSON::Object::Ptr ImportJobJson(const ImportJob& job);

// Waits for background import jobs; the server should call this before it
// destroys its WikiApp (see the report: server.cpp does not yet).
void WaitForBackgroundJobs();

}  // namespace arkwiki::web
