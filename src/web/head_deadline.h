// HeadDeadline: a deadline for each complete request head.
//
// Poco's HTTPServer reads a request head with a timeout per read, so a
// client that sends one byte just before each timeout holds a worker thread
// for as long as it likes; enough of them hold every worker. HeadDeadline
// watches each connection a worker serves: from the moment the worker
// starts waiting for a head (a new connection, or the end of the previous
// response on a kept-alive one) the whole head must arrive within `limit`,
// or the connection is shut down, which ends Poco's blocked read and frees
// the worker. While a request is handled (body reads included) no deadline
// runs: Poco's per-read timeout covers bodies. Thread-safe.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace arkwiki::web {

class HeadDeadline {
 public:
  explicit HeadDeadline(std::chrono::milliseconds limit);
  ~HeadDeadline();  // stops the watcher; connections still watched are left alone
  HeadDeadline(const HeadDeadline&) = delete;
  HeadDeadline& operator=(const HeadDeadline&) = delete;

  // A worker starts serving `socket`: its first head is now due.
  void Watch(const Poco::Net::StreamSocket& socket);
  // The head of a request on `socket` has been read: no deadline until
  // HeadDue().
  void HeadRead(const Poco::Net::Socket& socket);
  // The response on `socket` is done: the next head is now due.
  void HeadDue(const Poco::Net::Socket& socket);
  // The worker is done with `socket`.
  void Forget(const Poco::Net::Socket& socket);
  // How many connections were shut down for a late head.
  int64_t expired() const;

 private:
  struct Entry {
    Poco::Net::StreamSocket socket;  // keeps the descriptor open while watched
    std::chrono::steady_clock::time_point deadline;
    bool armed = false;
  };
  void Run();
  void SetArmed(const Poco::Net::Socket& socket, bool armed);

  const std::chrono::milliseconds limit_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<const void*, Entry> entries_;  // by socket implementation
  bool stop_ = false;
  int64_t expired_ = 0;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace arkwiki::web
