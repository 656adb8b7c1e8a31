#include "offsite/background_md5.h"

#include <Poco/DigestEngine.h>
#include <Poco/Exception.h>

#include <exception>
#include <system_error>

namespace arkwiki::s3 {

BackgroundMd5::~BackgroundMd5() {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BackgroundMd5::WaitIdle(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [this] { return pending_ == 0; });
}

void BackgroundMd5::Start() {
  std::unique_lock<std::mutex> lock(mu_);
  WaitIdle(lock);
  md5_.reset();
  failed_.clear();
}

Status BackgroundMd5::Update(std::string_view data) {
  while (data.size() > kMaxPiece) {
    ARKWIKI_RETURN_IF_ERROR(UpdatePiece(data.substr(0, kMaxPiece)));
    data.remove_prefix(kMaxPiece);
  }
  return UpdatePiece(data);
}

Status BackgroundMd5::UpdatePiece(std::string_view data) {
  if (data.empty()) return Status::Ok();
  std::unique_lock<std::mutex> lock(mu_);
  if (!thread_.joinable()) {
    try {
      thread_ = std::thread([this] { Run(); });
    } catch (const std::system_error& e) {
      return Status::IoError(std::string("cannot start the thread that hashes the body: ") +
                             e.what());
    }
  }
  cv_.wait(lock, [this] { return pending_ < kSlots; });
  if (!failed_.empty()) return Status::IoError(failed_);
  std::string& slot = slots_[(next_ + pending_) % kSlots];
  // The slot is the caller's until it is counted as pending: copied unlocked.
  lock.unlock();
  slot.assign(data);
  lock.lock();
  ++pending_;
  lock.unlock();
  cv_.notify_all();
  return Status::Ok();
}

Result<std::string> BackgroundMd5::FinishHex() {
  std::unique_lock<std::mutex> lock(mu_);
  WaitIdle(lock);
  if (!failed_.empty()) return Status::IoError(failed_);
  return Poco::DigestEngine::digestToHex(md5_.digest());
}

void BackgroundMd5::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return pending_ > 0 || stop_; });
    if (stop_) return;
    // slots_[next_] and md5_ are the hasher's while the piece is pending.
    const std::string& piece = slots_[next_];
    lock.unlock();
    std::string error;
    try {
      md5_.update(piece.data(), piece.size());
    } catch (const Poco::Exception& e) {
      error = "hashing the body failed: " + e.displayText();
    } catch (const std::exception& e) {
      error = std::string("hashing the body failed: ") + e.what();
    }
    lock.lock();
    if (!error.empty() && failed_.empty()) failed_ = std::move(error);
    next_ = (next_ + 1) % kSlots;
    --pending_;
    cv_.notify_all();
  }
}

}  // namespace arkwiki::s3
