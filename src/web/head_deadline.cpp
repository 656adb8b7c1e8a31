#include "head_deadline.h"

#include <sys/socket.h>

#include <algorithm>

namespace arkwiki::web {

HeadDeadline::HeadDeadline(std::chrono::milliseconds limit)
    : limit_(limit), thread_([this] { Run(); }) {}

HeadDeadline::~HeadDeadline() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void HeadDeadline::Watch(const Poco::Net::StreamSocket& socket) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    entries_[socket.impl()] = Entry{socket, std::chrono::steady_clock::now() + limit_, true};
  }
  wake_.notify_all();
}

void HeadDeadline::SetArmed(const Poco::Net::Socket& socket, bool armed) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(socket.impl());
    if (it == entries_.end()) return;
    it->second.armed = armed;
    it->second.deadline = std::chrono::steady_clock::now() + limit_;
  }
  if (armed) wake_.notify_all();
}

void HeadDeadline::HeadRead(const Poco::Net::Socket& socket) { SetArmed(socket, false); }

void HeadDeadline::HeadDue(const Poco::Net::Socket& socket) { SetArmed(socket, true); }

void HeadDeadline::Forget(const Poco::Net::Socket& socket) {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.erase(socket.impl());
}

int64_t HeadDeadline::expired() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return expired_;
}

void HeadDeadline::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    const auto now = std::chrono::steady_clock::now();
    auto next = std::chrono::steady_clock::time_point::max();
    for (auto& [impl, entry] : entries_) {
      if (!entry.armed) continue;
      if (entry.deadline > now) {
        next = std::min(next, entry.deadline);
        continue;
      }
      // Shutting down (not closing) wakes the worker's blocked read with
      // end-of-file; the descriptor stays valid until the worker lets go.
      entry.armed = false;
      ::shutdown(entry.socket.impl()->sockfd(), SHUT_RDWR);
      ++expired_;
    }
    if (next == std::chrono::steady_clock::time_point::max()) {
      wake_.wait(lock);
    } else {
      wake_.wait_until(lock, next);
    }
  }
}

}  // namespace arkwiki::web
