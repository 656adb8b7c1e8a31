// Restores confirmed in the browser run as background jobs, so the admin
// sees progress while the commit (safety backup, swap) runs. RestoreJobs
// keeps each job's state in memory by its staged restore's id, for the
// progress and result pages, and owns the jobs' threads: JoinAll() waits for
// every one of them and refuses new ones. BackupService (backup_service.h)
// decides what a job does. Private to the web layer.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "arkwiki/backup/restore.h"

namespace arkwiki::web {

struct RestoreJob {
  std::string id;                  // the staged restore's id
  std::string kind;                // "import" or "undo" (shown to users and in JSON)
  std::string actor;               // the admin who confirmed it
  std::string state = "running";   // running | done | failed
  std::string phase = "starting";  // then Restorer's: safety backup, preparing, swapping, done
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  std::string message;  // the error, when failed
  double unavailable_millis = 0;
  std::string safety_backup;       // SafetyCopyName: restore point or file under safety/
  std::string safety_note;         // set when it is not a safety backup archive
  bool must_log_in_again = false;  // the actor's session did not survive
  Manifest restored;               // the backup's manifest, without its file list
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

class RestoreJobs {
 public:
  RestoreJobs() = default;
  ~RestoreJobs();  // JoinAll()
  RestoreJobs(const RestoreJobs&) = delete;
  RestoreJobs& operator=(const RestoreJobs&) = delete;

  // Runs `body` on a new thread. Refused (Busy) once JoinAll has begun.
  Status Spawn(std::function<void()> body);
  void Add(RestoreJob job);
  void Update(const std::string& id, const std::function<void(RestoreJob&)>& change);
  std::optional<RestoreJob> Find(const std::string& id) const;
  // Refuses new threads and waits for every thread spawned to end.
  void JoinAll();

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  // Joins the threads that have ended; called with mu_ not held.
  void ReapFinished();

  mutable std::mutex mu_;
  std::map<std::string, RestoreJob> jobs_;
  std::vector<Worker> workers_;
  bool closed_ = false;
};

}  // namespace arkwiki::web
