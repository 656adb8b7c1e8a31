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
  cv_.wait(lock, [this] { return !pending_; });
}

void BackgroundMd5::Start() {
  std::unique_lock<std::mutex> lock(mu_);
  WaitIdle(lock);
  md5_.reset();
  failed_.clear();
}

Status BackgroundMd5::Update(std::string_view data) {
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
  WaitIdle(lock);
  if (!failed_.empty()) return Status::IoError(failed_);
  block_.assign(data);
  pending_ = true;
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
    cv_.wait(lock, [this] { return pending_ || stop_; });
    if (stop_) return;
    // The caller waits for !pending_ before it touches block_ or md5_, so
    // both are the hasher's while it works unlocked.
    lock.unlock();
    std::string error;
    try {
      md5_.update(block_.data(), block_.size());
    } catch (const Poco::Exception& e) {
      error = "hashing the body failed: " + e.displayText();
    } catch (const std::exception& e) {
      error = std::string("hashing the body failed: ") + e.what();
    }
    lock.lock();
    if (!error.empty()) failed_ = std::move(error);
    pending_ = false;
    cv_.notify_all();
  }
}

}  // namespace arkwiki::s3
