// UploadPipeline: preparing small uploads ahead of the writer (see header).
#include "create/upload_pipeline.h"

#include <exception>

namespace arkwiki {

UploadPipeline::UploadPipeline(Env* env, const DataDirLayout& layout, const ManifestFiles& files,
                               size_t first, const EntryOptions& options)
    : env_(env), layout_(layout), files_(files), options_(options), next_claim_(first) {
  thread_ = std::thread([this] { Run(); });
}

UploadPipeline::~UploadPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Result<PreparedEntry> UploadPipeline::PrepareOne(size_t i, ZipPrepareScratch* scratch) {
  const ManifestFile f = files_[i];
  try {
    return ZipWriter::Prepare(f.path, env_, layout_.UploadPath(f.sha256), options_, scratch);
  } catch (const std::exception& e) {  // out of memory, most likely
    return Status::IoError("preparing " + f.path + " failed: " + e.what());
  }
}

size_t UploadPipeline::ClaimableLocked() {
  const size_t n = files_.size();
  while (next_claim_ < n && !IsSmall(files_.SizeAt(next_claim_))) ++next_claim_;
  if (next_claim_ >= n) return n;
  const bool room =
      ahead_entries_ == 0 || (ahead_entries_ < kMaxAheadEntries &&
                              ahead_bytes_ + files_.SizeAt(next_claim_) <= kMaxAheadBytes);
  return room ? next_claim_ : n;
}

void UploadPipeline::ClaimLocked(size_t i) {
  next_claim_ = i + 1;
  ahead_bytes_ += files_.SizeAt(i);
  ahead_entries_ += 1;
}

void UploadPipeline::Run() {
  const size_t n = files_.size();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    size_t j = n;
    cv_.wait(lock, [&] { return stop_ || (j = ClaimableLocked()) < n || next_claim_ >= n; });
    if (stop_ || j >= n) return;  // stopped, or every small file is claimed
    ClaimLocked(j);
    lock.unlock();
    Result<PreparedEntry> r = PrepareOne(j, &helper_scratch_);
    lock.lock();
    ready_.emplace(j, std::move(r));
    cv_.notify_all();
  }
}

Result<PreparedEntry> UploadPipeline::Take(size_t i) {
  const size_t n = files_.size();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto it = ready_.find(i);
    if (it != ready_.end()) {
      Result<PreparedEntry> r = std::move(it->second);
      ready_.erase(it);
      ahead_bytes_ -= files_.SizeAt(i);
      ahead_entries_ -= 1;
      cv_.notify_all();  // room for the helper
      return r;
    }
    if (next_claim_ <= i) {  // no one has it yet: prepare it here, now
      next_claim_ = i + 1;
      lock.unlock();
      return PrepareOne(i, &writer_scratch_);
    }
    // The helper is on it. Rather than wait, prepare one further ahead.
    const size_t j = ClaimableLocked();
    if (j < n) {
      ClaimLocked(j);
      lock.unlock();
      Result<PreparedEntry> r = PrepareOne(j, &writer_scratch_);
      lock.lock();
      ready_.emplace(j, std::move(r));
      continue;
    }
    cv_.wait(lock);
  }
}

}  // namespace arkwiki
