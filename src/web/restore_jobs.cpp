#include "restore_jobs.h"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <utility>

namespace arkwiki::web {

RestoreJobs::~RestoreJobs() { JoinAll(); }

void RestoreJobs::ReapFinished() {
  std::vector<Worker> finished;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto split = std::partition(workers_.begin(), workers_.end(),
                                [](const Worker& w) { return !w.done->load(); });
    std::move(split, workers_.end(), std::back_inserter(finished));
    workers_.erase(split, workers_.end());
  }
  for (Worker& w : finished) w.thread.join();  // each has returned from its body
}

Status RestoreJobs::Spawn(std::function<void()> body) {
  ReapFinished();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Busy("the server is shutting down");
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([body = std::move(body), done] {
    body();
    done->store(true);
  });
  workers_.push_back(Worker{std::move(thread), std::move(done)});
  return Status::Ok();
}

void RestoreJobs::Add(RestoreJob job) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = job.id;
  jobs_[id] = std::move(job);
}

void RestoreJobs::Update(const std::string& id, const std::function<void(RestoreJob&)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it != jobs_.end()) change(it->second);
}

std::optional<RestoreJob> RestoreJobs::Find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return std::nullopt;
  return it->second;
}

void RestoreJobs::JoinAll() {
  std::vector<Worker> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    workers = std::move(workers_);
    workers_.clear();
  }
  for (Worker& w : workers) w.thread.join();
}

}  // namespace arkwiki::web
