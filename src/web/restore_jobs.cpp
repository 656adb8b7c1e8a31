#include "web/import_jobs.h"

#include <algorithm>
#include <future>
#include <thread>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "web/import_flow.h"

namespace arkwiki::web {

ImportJobs& ImportJobs::Instance() {
  static auto* jobs = new ImportJobs;  // leaked on purpose: detached threads use it
  return *jobs;
}

Status ImportJobs::Start(WikiApp& app, const StagedImport& staged, const ImportOptions& options,
                         const std::string& kind) {
  std::promise<Status> started;
  std::future<Status> ready = started.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++running_;
  }
  // The thread takes the lock itself: a std::mutex must be unlocked by the
  // thread that locked it, so the request thread cannot hand it over.
  std::thread([this, &app, staged, options, kind, started = std::move(started)]() mutable {
    std::unique_lock<std::mutex> exclusive(app.exclusive_operation(), std::try_to_lock);
    if (!exclusive.owns_lock()) {
      started.set_value(
          Status::Busy("another backup or import is running; try again when it "
                       "has finished"));
      return Finished();
    }
    ImportJob job;
    job.id = staged.id;
    job.kind = kind;
    job.actor = options.actor;
    job.restored = staged.report.manifest;
    job.restored.files.clear();
    job.started_at = NowUnixSeconds();
    {
      std::lock_guard<std::mutex> lock(mu_);
      jobs_[staged.id] = std::move(job);
    }
    started.set_value(Status::Ok());
    Run(app, staged, options, kind);
    exclusive.unlock();
    Finished();
  }).detach();
  return ready.get();
}

void ImportJobs::Run(WikiApp& app, const StagedImport& staged, const ImportOptions& options,
                     const std::string& kind) {
  const std::string id = staged.id;
  // own_requests 0: this thread is no request. EnterMaintenance waits for
  // every request in flight, including the confirming one if it has not
  // finished yet; new ones get 503 meanwhile.
  auto outcome = CommitImport(app, staged, options, 0,
                              [this, &id](const std::string& phase, uint64_t done, uint64_t total) {
                                Update(id, [&](ImportJob& j) {
                                  j.phase = phase;
                                  j.bytes_done = done;
                                  j.bytes_total = total;
                                });
                              });
  if (!outcome.ok()) {
    LogError("import " + id + " failed: " + outcome.status().ToString());
    (void)Restorer(app.env(), app.layout()).Discard(id);
    return Update(id, [&](ImportJob& j) {
      j.state = "failed";
      j.message = outcome.status().message();
      j.finished_at = NowUnixSeconds();
    });
  }
  const auto& kept = outcome->users_kept_sessions;
  const bool relogin = std::find(kept.begin(), kept.end(), options.actor) == kept.end();
  if (kind == "undo" && !app.maintenance()) {
    Status s = app.storage().audit().Append(
        options.actor, "backup.undo",
        "brought back the state before the last import; safety backup of the replaced data: " +
            FileNameOf(outcome->safety_backup));
    if (!s.ok()) LogWarning("undo done but not written to the audit log: " + s.ToString());
  }
  Update(id, [&](ImportJob& j) {
    j.state = "done";
    j.phase = "done";
    j.unavailable_millis = outcome->unavailable_millis;
    j.safety_backup = FileNameOf(outcome->safety_backup);
    j.safety_note = outcome->safety_note;
    j.must_log_in_again = relogin;
    j.finished_at = NowUnixSeconds();
  });
}

void ImportJobs::Update(const std::string& id, const std::function<void(ImportJob&)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it != jobs_.end()) change(it->second);
}

void ImportJobs::Finished() {
  std::lock_guard<std::mutex> lock(mu_);
  --running_;
  idle_.notify_all();
}

std::optional<ImportJob> ImportJobs::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void ImportJobs::WaitUntilIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return running_ == 0; });
}

Poco::JSON::Object::Ptr ImportJobJson(const ImportJob& j) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("job", j.id);
  o->set("kind", j.kind);
  o->set("state", j.state);
  o->set("phase", j.phase);
  o->set("bytes_done", j.bytes_done);
  o->set("bytes_total", j.bytes_total);
  if (!j.message.empty()) o->set("message", j.message);
  o->set("started_at", j.started_at);
  if (j.state != "running") o->set("finished_at", j.finished_at);
  if (j.state == "done") {
    o->set("unavailable_ms", j.unavailable_millis);
    o->set("safety_backup", j.safety_backup);
    if (!j.safety_note.empty()) o->set("safety_note", j.safety_note);
    o->set("must_log_in_again", j.must_log_in_again);
    o->set("counts", CountsJson(j.restored.counts));
  }
  o->set("result_url", "/settings/backup/import/" + j.id + "/result");
  return o;
}

void WaitForBackgroundJobs() { ImportJobs::Instance().WaitUntilIdle(); }

}  // namespace arkwiki::web
