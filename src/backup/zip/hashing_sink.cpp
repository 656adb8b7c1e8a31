// HashingSink: the archive's SHA-256, its forwarding and the hashing of
// byte ranges, on three threads of their own (see the header).
#include "zip/hashing_sink.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>

namespace arkwiki {

HashingSink::HashingSink(ByteSink* target, size_t block_size, size_t blocks)
    : target_(target),
      block_size_(block_size == 0 ? kDefaultBlockSize : block_size),
      hash_(std::make_unique<Sha256>()) {
  const size_t bytes =
      (block_size_ + kDirectIoAlignment - 1) / kDirectIoAlignment * kDirectIoAlignment;
  blocks_.resize(std::max<size_t>(blocks, 2));
  for (Block& b : blocks_) {
    char* p = static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, bytes));
    if (p == nullptr) throw std::bad_alloc();
    b.data.reset(p);
  }
  // A thread that cannot be started (std::system_error) must not leave the
  // others running: a joinable std::thread destroyed by the unwinding
  // would end the process.
  try {
    hasher_ = std::thread([this] { Hash(); });
    forwarder_ = std::thread([this] { Forward(); });
    ranger_ = std::thread([this] { HashRanges(); });
  } catch (...) {
    Stop();
    throw;
  }
}

HashingSink::~HashingSink() { Stop(); }

void HashingSink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread* t : {&hasher_, &forwarder_, &ranger_}) {
    if (t->joinable()) t->join();
  }
}

void HashingSink::Hash() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || hashed_ < filled_; });
    if (stop_) return;
    const Block& b = At(hashed_);
    lock.unlock();
    hash_->Update(b.data.get(), b.used);
    lock.lock();
    ++hashed_;
    cv_.notify_all();
  }
}

void HashingSink::Forward() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || forwarded_ < filled_; });
    if (stop_) return;
    const Block& b = At(forwarded_);
    const bool skip = !error_.ok();  // after a failure, blocks are only released
    lock.unlock();
    Status s;
    if (!skip) {
      try {
        s = target_->Write(std::string_view(b.data.get(), b.used));
      } catch (const std::exception& e) {
        s = Status::IoError(std::string("writing the backup failed: ") + e.what());
      }
    }
    lock.lock();
    if (!s.ok() && error_.ok()) error_ = s;
    ++forwarded_;
    cv_.notify_all();
  }
}

void HashingSink::HashRanges() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || ranged_ < filled_; });
    if (stop_) return;
    const uint64_t seq = ranged_;
    const Block& b = At(seq);
    // A block handed over before the range began ends at or before its
    // start, so it contributes nothing.
    const bool open = range_open_;
    const uint64_t start = range_start_;
    Sha256* hash = range_hash_.get();
    lock.unlock();
    const uint64_t block_start = b.start, block_end = block_start + b.used;
    if (open && block_end > start) {
      const uint64_t from = std::max(block_start, start);
      hash->Update(b.data.get() + (from - block_start), static_cast<size_t>(block_end - from));
    }
    lock.lock();
    ++ranged_;
    cv_.notify_all();
  }
}

bool HashingSink::BeginSha256Range() {
  std::lock_guard<std::mutex> lock(mu_);
  range_hash_ = std::make_unique<Sha256>();
  range_start_ = bytes_;
  range_open_ = true;
  return true;
}

Result<std::string> HashingSink::EndSha256Range() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!range_open_) return Status::InvalidArgument("EndSha256Range without BeginSha256Range");
  // Every block handed over is range-hashed; the rest of the range is in
  // the block being filled, which only this thread touches.
  cv_.wait(lock, [&] { return ranged_ == filled_; });
  range_open_ = false;
  std::unique_ptr<Sha256> hash = std::move(range_hash_);
  lock.unlock();
  const Block& b = At(filled_);
  const uint64_t block_start = b.start;
  const uint64_t from = std::max(block_start, range_start_);
  if (block_start + b.used > from) {
    hash->Update(b.data.get() + (from - block_start),
                 static_cast<size_t>(block_start + b.used - from));
  }
  return hash->FinishHex();
}

Status HashingSink::Failed() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

Status HashingSink::Submit() {
  std::unique_lock<std::mutex> lock(mu_);
  ++filled_;
  cv_.notify_all();
  // The next block to fill must be hashed and forwarded in its last round.
  cv_.wait(lock, [&] {
    return filled_ - std::min({hashed_, forwarded_, ranged_}) < blocks_.size();
  });
  At(filled_).used = 0;
  At(filled_).start = bytes_;
  return error_;
}

Status HashingSink::Write(std::string_view data) {
  ARKWIKI_RETURN_IF_ERROR(Failed());
  while (!data.empty()) {
    Block& b = At(filled_);  // only this thread changes filled_
    const size_t n = std::min(block_size_ - b.used, data.size());
    std::memcpy(b.data.get() + b.used, data.data(), n);
    b.used += n;
    bytes_ += n;
    data.remove_prefix(n);
    if (b.used == block_size_) ARKWIKI_RETURN_IF_ERROR(Submit());
  }
  return Status::Ok();
}

Status HashingSink::Flush() {
  if (At(filled_).used > 0) ARKWIKI_RETURN_IF_ERROR(Submit());
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock,
             [&] { return hashed_ == filled_ && forwarded_ == filled_ && ranged_ == filled_; });
    if (!error_.ok()) return error_;
  }
  // Both threads are idle and nothing is queued: the target is ours now.
  Status s = target_->Flush();
  if (!s.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    if (error_.ok()) error_ = s;
  }
  return s;
}

std::string HashingSink::FinishHex() { return hash_->FinishHex(); }

Status HashingSink::Restart(ByteSink* target) {
  std::lock_guard<std::mutex> lock(mu_);
  ARKWIKI_RETURN_IF_ERROR(error_);
  if (At(filled_).used > 0 || hashed_ != filled_ || forwarded_ != filled_ || ranged_ != filled_) {
    return Status::InvalidArgument("HashingSink::Restart before Flush");
  }
  // The threads are idle with nothing queued; the next block they take is
  // handed over after this, under the same mutex.
  target_ = target;
  hash_ = std::make_unique<Sha256>();
  return Status::Ok();
}

}  // namespace arkwiki
