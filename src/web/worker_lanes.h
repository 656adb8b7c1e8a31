// WorkerLanes: two sets of worker threads, each with its own bounded queue,
// so that page views never wait for a worker behind requests that may take
// seconds (searches, backup downloads, archive uploads: request_lane.h).
//
// 1. The ConnectionGate hands each connection over once its first request
//    head has arrived, with the bytes of that head (Dispatch).
// 2. Dispatch sorts the connection by the head's request line: a long
//    request goes to the long lane, anything else to the view lane.
// 3. The view lane queues up to `view.max_queued` connections; beyond that
//    Poco's dispatcher closes a new one unanswered. The long lane queues up
//    to `long_requests.max_queued`; beyond that Dispatch answers a new one
//    at once, on the gate's thread, `503` with `Retry-After`, and closes it.
// 4. A connection stays on its lane while it is kept alive. A request of
//    the other lane is served where it arrives, and its response closes the
//    connection, so that the client's next request is sorted afresh. While
//    connections wait in a lane's queue, each response on that lane closes
//    its connection, so that a kept-alive client cannot hold a worker.
// 5. The long lane's threads run at a lower CPU and I/O priority than the
//    view lane's (thread_priority.h): when the two cores are short, page
//    views get them first. The long lane's pool
//    is its own, so a thread never returns to page views at that priority
//    (an unprivileged thread cannot raise its priority again).
//
// Each lane is a Poco TCPServerDispatcher over a thread pool that lives
// until the process exits: a worker still stuck in a slow client's body read
// after the shutdown drain keeps what it references.
#pragma once

#include <Poco/AutoPtr.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServerDispatcher.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "head_deadline.h"
#include "request_lane.h"
#include "thread_priority.h"

namespace arkwiki::web {

struct LaneLimits {
  int threads = 16;
  int max_queued = 256;  // connections waiting for one of `threads`
};

// What a lane's connections share: the HTTP settings (keep-alive, read
// timeout; the thread and queue counts are each lane's own) and the handlers.
struct LaneSettings {
  Poco::Net::HTTPServerParams::Ptr http;
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers;
  HeadDeadline* heads = nullptr;  // watches each connection's later heads
};

class WorkerLanes {
 public:
  // How much nicer than the server the long lane's threads run.
  static constexpr int kLongLaneNiceIncrement = kBackgroundNiceIncrement;
  // The Retry-After, in seconds, of the long lane's 503.
  static constexpr int kRetryAfterSeconds = 5;

  WorkerLanes(const LaneSettings& settings, LaneLimits view, LaneLimits long_requests);
  ~WorkerLanes();  // Stop()
  WorkerLanes(const WorkerLanes&) = delete;
  WorkerLanes& operator=(const WorkerLanes&) = delete;

  // The ConnectionGate's hand-over: queues `socket` on the lane of the
  // request `head` begins, or answers 503 if that lane's queue is full.
  void Dispatch(const Poco::Net::StreamSocket& socket, std::string_view head);
  // Stops both lanes' idle workers, and tells connections to end after the
  // request they are handling. Idempotent. Connections still running use
  // the lanes and the handlers: destroy them (and what the handlers use)
  // only once current_connections() is 0.
  void Stop();

  // Connections being served, in both lanes.
  int current_connections() const;
  // Connections waiting for a worker of `lane`.
  int queued(Lane lane) const;
  // Long requests answered 503 because the long lane's queue was full.
  int64_t refused_busy() const { return refused_busy_; }

  // On a worker thread, inside a request: how long the connection waited in
  // its lane's queue; 0 after the connection's first request.
  static std::chrono::steady_clock::duration TakeQueuedTime();

 private:
  class Lanes;
  std::unique_ptr<Lanes> lanes_;
  std::atomic<int64_t> refused_busy_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace arkwiki::web
