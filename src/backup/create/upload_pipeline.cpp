// UploadPipeline: preparing small uploads ahead of the writer (see header).
#include "create/upload_pipeline.h"

#include <exception>

#include "arkwiki/core/hash.h"

namespace arkwiki {

UploadPipeline::UploadPipeline(Env* env, const DataDirLayout& layout,
                               const ManifestFileStore& files, size_t first,
                               const EntryOptions& options)
    : env_(env), layout_(layout), options_(options), cursor_(files.Walk()), next_claim_(first) {
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

Result<PreparedEntry> UploadPipeline::PrepareOne(const ManifestFile& f,
                                                 ZipPrepareScratch* scratch) {
  try {
    return ZipWriter::Prepare(f.path, env_, layout_.UploadPath(f.sha256), options_, scratch);
  } catch (const std::exception& e) {  // out of memory, most likely
    return Status::IoError("preparing " + f.path + " failed: " + e.what());
  }
}

bool UploadPipeline::PeekLocked() {
  while (!peeked_ && !ExhaustedLocked()) {
    Result<const ManifestFileStore::File*> f = cursor_.Next();
    if (!f.ok()) {
      read_error_ = f.status();
      break;
    }
    if (*f == nullptr) {
      list_done_ = true;
      break;
    }
    const size_t index = next_read_++;
    if (index >= next_claim_ && (*f)->upload_hash != nullptr && IsSmall((*f)->size)) {
      peeked_ = Claim{index, *(*f)->upload_hash, (*f)->size};
    }
  }
  return peeked_.has_value();
}

std::optional<UploadPipeline::Claim> UploadPipeline::ClaimableLocked() {
  if (!PeekLocked()) return std::nullopt;
  const bool room = ahead_entries_ == 0 || (ahead_entries_ < kMaxAheadEntries &&
                                            ahead_bytes_ + peeked_->size <= kMaxAheadBytes);
  return room ? peeked_ : std::nullopt;
}

void UploadPipeline::ClaimLocked(const Claim& c) {
  next_claim_ = c.index + 1;
  preparing_.insert(c.index);
  peeked_.reset();
  ahead_bytes_ += c.size;
  ahead_entries_ += 1;
}

void UploadPipeline::PrepareClaimed(const Claim& c, ZipPrepareScratch* scratch,
                                    std::unique_lock<std::mutex>* lock) {
  ClaimLocked(c);
  lock->unlock();
  std::string sha = HexEncode(c.sha256.data(), c.sha256.size());
  Result<PreparedEntry> r = PrepareOne({UploadEntryPath(sha), c.size, sha}, scratch);
  lock->lock();
  preparing_.erase(c.index);
  ready_.emplace(c.index, Ready{c.sha256, c.size, std::move(r)});
  cv_.notify_all();
}

void UploadPipeline::SkipPastLocked(size_t i) {
  next_claim_ = i + 1;
  if (peeked_ && peeked_->index <= i) peeked_.reset();
}

void UploadPipeline::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    std::optional<Claim> c;
    cv_.wait(lock,
             [&] { return stop_ || (c = ClaimableLocked()) || (ExhaustedLocked() && !peeked_); });
    if (stop_ || !c) return;  // stopped, or every small file is claimed
    PrepareClaimed(*c, &helper_scratch_, &lock);
  }
}

Result<PreparedEntry> UploadPipeline::Take(size_t i, const ManifestFile& file) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    auto it = ready_.find(i);
    if (it != ready_.end()) {
      Ready ready = std::move(it->second);
      ready_.erase(it);
      ahead_bytes_ -= ready.size;
      ahead_entries_ -= 1;
      cv_.notify_all();  // room for the helper
      if (HexEncode(ready.sha256.data(), ready.sha256.size()) != file.sha256 ||
          ready.size != file.size) {
        return Status::IoError("the backup's list of files changed while it was read (file " +
                               std::to_string(i) + ")");
      }
      return std::move(ready.entry);
    }
    if (!read_error_.ok()) return read_error_;
    if (next_claim_ <= i) {  // no one has it yet: prepare it here, now
      SkipPastLocked(i);
      lock.unlock();
      return PrepareOne(file, &writer_scratch_);
    }
    if (preparing_.count(i) == 0) {  // passed over: the helper read another file at i
      return Status::IoError("the backup's list of files changed while it was read (file " +
                             std::to_string(i) + ")");
    }
    // The helper is on it. Rather than wait, prepare one further ahead.
    if (std::optional<Claim> c = ClaimableLocked()) {
      PrepareClaimed(*c, &writer_scratch_, &lock);
      continue;
    }
    cv_.wait(lock);
  }
}

}  // namespace arkwiki
