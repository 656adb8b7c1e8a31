// OffsiteCopies (steps and what survives a crash: offsite_copies.h).
#include "offsite_copies.h"

#include <malloc.h>

#include <algorithm>

#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki::web {
namespace {

// What a run needs of a target: open and locked, with its key unlocked.
struct OpenTarget {
  std::unique_ptr<OffsiteTarget> target;
  std::unique_ptr<OffsiteTargetLock> lock;
  std::unique_ptr<OffsiteKey> key;
};

// UnlockTarget for a target of targets.conf, refusing one that no longer
// holds the repository it is pinned to (OffsiteTargetConfig::repository_id).
Result<std::unique_ptr<OffsiteKey>> UnlockPinned(OffsiteTarget* target,
                                                 const OffsiteTargetConfig& config) {
  return UnlockExpectedRepository(
      target, config.passphrase, config.repository_id, "targets.conf's repository_id",
      "; if that was meant, delete the target's repository_id line in targets.conf, or remove "
      "the target and add it again");
}

// Step 2a, taking the target's lock (held by `open` until it goes) before
// a new target's key object is made. A pinned target gets no new key
// object, and is checked (UnlockPinned) opened only for reading
// first: a directory target opened for writing is made if missing (an
// unmounted disk's mount point) and loses its old .incoming/ leftovers.
Result<OpenTarget> Open(Env* env, const std::string& data_dir, const std::string& backup_dir,
                        const OffsiteTargetConfig& config, const Cancellation* cancel) {
  OffsiteTargetSpec spec = config.spec;
  spec.cancel = cancel;
  // As the CLI's copy: an interrupted multipart upload resumes from here.
  if (spec.state_dir.empty()) spec.state_dir = data_dir + "/offsite/s3-uploads";
  OpenTarget open;
  if (!config.repository_id.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(auto reading, OpenOffsiteTarget(env, spec, /*for_writing=*/false));
    ARKWIKI_ASSIGN_OR_RETURN(open.key, UnlockPinned(reading.get(), config));
    ARKWIKI_ASSIGN_OR_RETURN(open.target, ReopenCheckedForWriting(env, spec, *open.key));
  } else {
    ARKWIKI_ASSIGN_OR_RETURN(open.target, OpenOffsiteTarget(env, spec, /*for_writing=*/true));
  }
  ARKWIKI_ASSIGN_OR_RETURN(open.lock,
                           OffsiteTargetLock::Acquire(backup_dir, *open.target, "server copy run"));
  if (!open.key) {
    ARKWIKI_ASSIGN_OR_RETURN(open.key, UnlockOrInitTarget(open.target.get(), config.passphrase));
  }
  return open;
}

// Whether `a` and `b` name the same place: a target edited elsewhere keeps
// its pinned repository only while it does.
bool SamePlace(const OffsiteTargetConfig& a, const OffsiteTargetConfig& b) {
  return a.spec.location == b.spec.location && a.spec.endpoint == b.spec.endpoint;
}

// Step 2c: the local points newer than the target's newest, oldest first,
// skipping those whose check failed.
std::vector<std::string> PointsToCopy(const std::vector<SnapshotInfo>& local,
                                      const std::map<std::string, int64_t>& remote) {
  std::string newest_remote;
  if (!remote.empty()) newest_remote = remote.rbegin()->first;  // ids sort by time
  std::vector<std::string> ids;
  for (const SnapshotInfo& p : local) {
    if (p.check.state == CheckStatus::State::kFailed) continue;
    if (!newest_remote.empty() && p.id <= newest_remote) continue;
    ids.push_back(p.id);
  }
  return ids;
}

}  // namespace

std::string OffsiteState(const OffsiteTargetStatus& s, int64_t now, int64_t stale_after,
                         bool local_good_point) {
  if (s.last_failure > 0 && s.last_failure >= s.last_success) return "failing";
  if (s.last_attempt == 0 && s.last_success == 0) return "pending";
  if (s.points_known && !s.checked) return "failing";
  const int64_t newest = s.points_known ? NewestCopy(s) : s.last_success;
  if (newest == 0) return local_good_point ? "stale" : "ok";
  return now - newest > stale_after ? "stale" : "ok";
}

int64_t NewestCopy(const OffsiteTargetStatus& s) {
  int64_t newest = 0;
  for (const auto& [id, created] : s.points) newest = std::max(newest, created);
  return newest;
}

OffsiteCopies::OffsiteCopies(Env* env, std::string data_dir)
    : env_(env), data_dir_(std::move(data_dir)) {}

OffsiteCopies::~OffsiteCopies() { Stop(); }

void OffsiteCopies::Start(Runner run) {
  std::lock_guard<std::mutex> lock(mu_);
  if (worker_.joinable() || stop_) return;
  run_ = std::move(run);
  worker_ = std::thread([this] { Loop(); });
}

void OffsiteCopies::Request() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    pending_ = true;
  }
  cv_.notify_all();
}

void OffsiteCopies::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_.Cancel("server stopping");
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

bool OffsiteCopies::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return !pending_ && !running_; });
}

void OffsiteCopies::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return stop_ || pending_; });
    if (stop_) {
      pending_ = false;
      cv_.notify_all();
      return;
    }
    pending_ = false;
    running_ = true;
    lock.unlock();
    run_();
    ::malloc_trim(0);  // as after a restore point: the encryption's buffers
    lock.lock();
    running_ = false;
    cv_.notify_all();
  }
}

std::string OffsiteCopies::ConfigPath() const { return OffsiteConfigPath(data_dir_); }

Result<std::vector<OffsiteTargetConfig>> OffsiteCopies::Targets() {
  return LoadOffsiteTargets(env_, ConfigPath());
}

Status OffsiteCopies::Save(const OffsiteTargetConfig& target, bool replace) {
  // A passphrase file that cannot be read would make the whole file unreadable.
  if (!target.passphrase_file.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(target.passphrase_file));
    if (!exists) return Status::NotFound("no passphrase file " + target.passphrase_file);
    ARKWIKI_RETURN_IF_ERROR(CheckOffsiteFilePrivate(target.passphrase_file));
  }
  std::lock_guard<std::mutex> lock(config_mu_);
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteTargetConfig> all, Targets());
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const OffsiteTargetConfig& t) { return t.name == target.name; });
  if (replace && it == all.end()) {
    return Status::NotFound("no off-site target '" + target.name + "'");
  }
  if (!replace && it != all.end()) {
    return Status::AlreadyExists("an off-site target '" + target.name + "' exists already");
  }
  if (it == all.end()) {
    all.push_back(target);
  } else {
    // The pin is never taken from `target` (an edit starts from the stored
    // target): kept in place, dropped with a move.
    const bool same_place = SamePlace(*it, target);
    const std::string pinned = it->repository_id;
    *it = target;
    it->repository_id = same_place ? pinned : "";
    if (!same_place) {
      std::lock_guard<std::mutex> guard(status_mu_);
      status_.erase(target.name);  // the old place's
      ++placement_[target.name];
    }
  }
  return SaveOffsiteTargets(env_, ConfigPath(), all);
}

Status OffsiteCopies::PinRepository(const OffsiteTargetConfig& config,
                                    const std::string& repository_id) {
  std::lock_guard<std::mutex> lock(config_mu_);
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteTargetConfig> all, Targets());
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const OffsiteTargetConfig& t) { return t.name == config.name; });
  // Removed, moved or pinned since the run read it: the run's pin is stale.
  if (it == all.end() || !SamePlace(*it, config) || !it->repository_id.empty()) {
    return Status::Ok();
  }
  it->repository_id = repository_id;
  return SaveOffsiteTargets(env_, ConfigPath(), all);
}

Status OffsiteCopies::Remove(const std::string& name) {
  std::lock_guard<std::mutex> lock(config_mu_);
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteTargetConfig> all, Targets());
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const OffsiteTargetConfig& t) { return t.name == name; });
  if (it == all.end()) return Status::NotFound("no off-site target '" + name + "'");
  all.erase(it);
  ARKWIKI_RETURN_IF_ERROR(SaveOffsiteTargets(env_, ConfigPath(), all));
  std::lock_guard<std::mutex> guard(status_mu_);
  status_.erase(name);
  ++placement_[name];
  return Status::Ok();
}

Result<std::string> OffsiteCopies::Test(const std::string& name) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteTargetConfig> all, Targets());
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const OffsiteTargetConfig& t) { return t.name == name; });
  if (it == all.end()) return Status::NotFound("no off-site target '" + name + "'");
  OffsiteTargetSpec spec = it->spec;
  spec.state_dir = data_dir_ + "/offsite/s3-uploads";
  auto target = OpenOffsiteTarget(env_, spec, /*for_writing=*/false);
  if (!target.ok()) return target.status().message();
  auto key = UnlockPinned(target->get(), *it);
  if (key.ok()) {
    std::lock_guard<std::mutex> guard(status_mu_);
    status_[name].repository_id = (*key)->repository_id();
    return std::string();
  }
  if (key.status().code() != StatusCode::kNotFound) return key.status().message();
  // No key object: reachable, and nothing copied yet, unless listing fails.
  auto listed = (*target)->List("");
  return listed.ok() ? std::string() : listed.status().message();
}

std::vector<OffsiteRunResult> OffsiteCopies::Run(const std::string& backup_dir,
                                                 const std::vector<SnapshotInfo>& local,
                                                 int64_t now, const OffsiteKey* local_key) {
  std::vector<OffsiteRunResult> results;
  auto targets = Targets();
  if (!targets.ok()) {
    LogWarning("off-site copies: " + targets.status().ToString());
    results.push_back({"targets.conf", false, targets.status().message(), "", 0, 0});
    return results;
  }
  for (const OffsiteTargetConfig& config : *targets) {
    if (cancel_.cancelled()) break;  // the server is stopping: the next run does the rest
    results.push_back(CopyTo(config, backup_dir, local, now, local_key));
  }
  return results;
}

OffsiteRunResult OffsiteCopies::CopyTo(const OffsiteTargetConfig& config,
                                       const std::string& backup_dir,
                                       const std::vector<SnapshotInfo>& local, int64_t now,
                                       const OffsiteKey* local_key) {
  const auto started = std::chrono::steady_clock::now();
  uint64_t placement = 0;
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    placement = placement_[config.name];
  }
  OffsiteRunResult result{config.name, false, "", "", 0, 0};
  std::map<std::string, int64_t> remote;
  uint64_t copied = 0;
  bool checked = false;
  std::string description = config.spec.location;
  std::string repository_id;
  Status s = [&]() -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(OpenTarget open, Open(env_, data_dir_, backup_dir, config, &cancel_));
    description = open.target->Describe();
    repository_id = open.key->repository_id();
    if (config.repository_id.empty()) {
      // The copy goes on if targets.conf cannot be rewritten: the next run pins it.
      if (Status pinned = PinRepository(config, repository_id); !pinned.ok()) {
        LogWarning("off-site target " + config.name + ": repository " + repository_id +
                   " not recorded in targets.conf: " + pinned.ToString());
      }
    }
    // Records read back spill to the data directory's tmp/.
    const OffsiteScratch scratch{env_, DataDirLayout(data_dir_).tmp};
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(scratch.dir));
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsitePoint> points,
                             ListTargetPoints(open.target.get(), *open.key, scratch));
    for (const OffsitePoint& p : points) remote[p.info.id] = p.info.created;
    OffsiteCopier copier(env_, backup_dir, open.target.get(), *open.key, &cancel_);
    copier.SetLocalKey(local_key);
    copier.SetScratchDir(scratch.dir);
    for (const std::string& id : PointsToCopy(local, remote)) {
      ARKWIKI_ASSIGN_OR_RETURN(std::optional<OffsiteCopyResult> r, copier.CopyIfPresent(id));
      if (!r) continue;  // deleted since the run listed it
      result.bytes_sent += r->bytes_sent;
      ++copied;
      auto made = std::find_if(local.begin(), local.end(),
                               [&](const SnapshotInfo& p) { return p.id == id; });
      remote[id] = made->created;
    }
    ARKWIKI_RETURN_IF_ERROR(cancel_.Check());
    ARKWIKI_ASSIGN_OR_RETURN(OffsitePruneResult pruned,
                             PruneTarget(open.target.get(), *open.key, config.retention, now,
                                         int64_t{config.prune_grace_hours} * 3600, scratch));
    for (const std::string& id : pruned.forgotten) remote.erase(id);
    ARKWIKI_RETURN_IF_ERROR(cancel_.Check());
    ARKWIKI_ASSIGN_OR_RETURN(CheckReport report,
                             CheckTarget(open.target.get(), *open.key, CheckOptions{}, scratch));
    checked = report.ok();
    if (!checked) {
      return Status::Corruption(std::to_string(report.damaged.size()) + " objects and " +
                                std::to_string(report.snapshot_problems.size()) +
                                " restore points on the target did not pass the check");
    }
    return Status::Ok();
  }();
  result.duration_ms = MillisSince(started);
  result.ok = s.ok();
  result.cancelled = s.code() == StatusCode::kCancelled;
  if (!remote.empty()) result.newest_point = remote.rbegin()->first;
  result.message = s.ok() ? std::to_string(copied) + " restore points copied, " +
                                std::to_string(remote.size()) + " on the target"
                          : s.message();
  std::lock_guard<std::mutex> guard(status_mu_);
  if (placement_[config.name] != placement) return result;  // moved or removed meanwhile
  OffsiteTargetStatus& st = status_[config.name];
  st.name = config.name;
  st.description = description;
  if (!repository_id.empty()) st.repository_id = repository_id;
  st.last_attempt = now;
  st.bytes_sent_total += result.bytes_sent;
  if (s.ok()) {
    st.last_success = now;
    st.points = std::move(remote);
    st.points_known = true;
    st.checked = checked;
    st.checked_at = now;
  } else {
    st.last_failure = now;
    st.last_error = s.message();
    ++st.failures_total;
  }
  return result;
}

std::vector<OffsiteTargetStatus> OffsiteCopies::Statuses() {
  std::vector<OffsiteTargetStatus> out;
  auto targets = Targets();
  if (!targets.ok()) {
    OffsiteTargetStatus broken;
    broken.name = "targets.conf";
    broken.last_failure = 1;
    broken.last_error = targets.status().message();
    out.push_back(std::move(broken));
    return out;
  }
  std::lock_guard<std::mutex> guard(status_mu_);
  for (const OffsiteTargetConfig& t : *targets) {
    OffsiteTargetStatus s;
    if (auto it = status_.find(t.name); it != status_.end()) s = it->second;
    s.name = t.name;
    if (s.description.empty()) s.description = t.spec.location;
    if (s.repository_id.empty()) s.repository_id = t.repository_id;
    out.push_back(std::move(s));
  }
  return out;
}

void OffsiteCopies::Recall(const std::string& target, bool ok, int64_t at,
                           const std::string& message) {
  std::lock_guard<std::mutex> guard(status_mu_);
  OffsiteTargetStatus& s = status_[target];
  s.name = target;
  if (ok && s.last_success == 0) s.last_success = at;
  if (!ok && s.last_failure == 0) {
    s.last_failure = at;
    s.last_error = message;
  }
}

std::vector<std::string> OffsiteCopies::NewlyStale(int64_t now, int64_t stale_after,
                                                   bool local_good_point) {
  std::vector<std::string> names;
  for (const OffsiteTargetStatus& s : Statuses()) {
    std::lock_guard<std::mutex> guard(status_mu_);
    if (OffsiteState(s, now, stale_after, local_good_point) != "stale") {
      stale_alerted_.erase(s.name);
      continue;
    }
    auto [it, added] = stale_alerted_.emplace(s.name, now);
    if (!added && now - it->second < stale_after) continue;
    it->second = now;
    names.push_back(s.name);
  }
  return names;
}

}  // namespace arkwiki::web
