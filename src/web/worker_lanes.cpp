#include "worker_lanes.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "arkwiki/core/log.h"
#include "thread_priority.h"

namespace arkwiki::web {
namespace {

// How long the connection a worker took up waited in its lane's queue; read
// (and reset) by the connection's first request.
thread_local std::chrono::steady_clock::duration t_queued{};

// When each connection was handed to a lane's queue, by descriptor.
class HandOverTimes {
 public:
  void Mark(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    handed_over_[socket.impl()->sockfd()] = std::chrono::steady_clock::now();
  }
  // The time since Mark, or 0 if it was not marked. A connection the queue
  // refused leaves its mark behind, until its descriptor's next connection.
  std::chrono::steady_clock::duration Take(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = handed_over_.find(socket.impl()->sockfd());
    if (it == handed_over_.end()) return {};
    const auto waited = std::chrono::steady_clock::now() - it->second;
    handed_over_.erase(it);
    return waited;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<int, std::chrono::steady_clock::time_point> handed_over_;
};

// Runs each request's handler, ending the connection after the response
// when the request belongs to the other lane or others wait for a worker.
class LaneHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  LaneHandler(Poco::Net::HTTPRequestHandler* inner, Lane lane,
              const Poco::Net::TCPServerDispatcher* workers)
      : inner_(inner), lane_(lane), workers_(workers) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    if (LaneOf(rq.getMethod(), rq.getURI()) != lane_ || workers_->queuedConnections() > 0) {
      rs.setKeepAlive(false);
    }
    inner_->handleRequest(rq, rs);
  }

 private:
  std::unique_ptr<Poco::Net::HTTPRequestHandler> inner_;
  const Lane lane_;
  const Poco::Net::TCPServerDispatcher* workers_;
};

class LaneFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  LaneFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner, Lane lane)
      : inner_(std::move(inner)), lane_(lane) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest& rq) override {
    Poco::Net::HTTPRequestHandler* inner = inner_->createRequestHandler(rq);
    return inner == nullptr ? nullptr : new LaneHandler(inner, lane_, workers_);
  }
  // Set once, before the lane's first connection.
  void set_workers(const Poco::Net::TCPServerDispatcher* workers) { workers_ = workers; }
  // Tells the connections to end after the request they are handling
  // (what Poco's HTTPServer::stopAll does).
  void ServerStopped(const void* sender) { serverStopped(sender, false); }

 private:
  Poco::Net::HTTPRequestHandlerFactory::Ptr inner_;
  const Lane lane_;
  const Poco::Net::TCPServerDispatcher* workers_ = nullptr;
};

// Poco's HTTP connection, with its later request heads on a deadline.
class Connection final : public Poco::Net::HTTPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, const Poco::Net::HTTPServerParams::Ptr& params,
             const Poco::Net::HTTPRequestHandlerFactory::Ptr& factory, HeadDeadline* heads,
             HandOverTimes* times, Lane lane)
      : HTTPServerConnection(socket, params, factory), heads_(heads), times_(times), lane_(lane) {}
  void run() override {
    // The long lane's pool serves no other lane.
    if (lane_ == Lane::kLong) LowerThisThreadToBackgroundOnce("long-request worker");
    t_queued = times_->Take(socket());
    if (heads_ != nullptr) heads_->Watch(socket());
    HTTPServerConnection::run();
    if (heads_ != nullptr) heads_->Forget(socket());
  }

 private:
  HeadDeadline* heads_;
  HandOverTimes* times_;
  const Lane lane_;
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory, HeadDeadline* heads,
                    HandOverTimes* times, Lane lane)
      : params_(std::move(params)),
        factory_(std::move(factory)),
        heads_(heads),
        times_(times),
        lane_(lane) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, params_, factory_, heads_, times_, lane_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  HeadDeadline* heads_;
  HandOverTimes* times_;
  const Lane lane_;
};

Poco::Net::HTTPServerParams::Ptr LaneParams(const Poco::Net::HTTPServerParams& http,
                                            LaneLimits limits) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(http.getKeepAlive());
  params->setKeepAliveTimeout(http.getKeepAliveTimeout());
  params->setMaxKeepAliveRequests(http.getMaxKeepAliveRequests());
  params->setTimeout(http.getTimeout());
  params->setSoftwareVersion(http.getSoftwareVersion());
  params->setMaxThreads(limits.threads);
  params->setMaxQueued(limits.max_queued);
  return params;
}

// The view lane runs on Poco's default pool, as Poco's own TCPServer does;
// the long lane on a pool of its own (its threads' priority is lowered for
// good). Both live until the process exits (see the header).
// Capacity is twice the lane's threads: the threads of a stopped lane may
// still be winding down when a new one starts (tests), and a dispatcher
// that finds no free thread queues its connection without a worker.
Poco::ThreadPool& PoolFor(Lane lane, int threads) {
  static auto* const long_pool = new Poco::ThreadPool(1, 2 * threads);
  Poco::ThreadPool& pool = lane == Lane::kView ? Poco::ThreadPool::defaultPool() : *long_pool;
  if (pool.capacity() < 2 * threads) pool.addCapacity(2 * threads - pool.capacity());
  return pool;
}

// Reads the head that has arrived, so that closing ends the connection with
// a FIN rather than a reset (a reset may discard the answer at the client),
// then answers 503 and closes the sending side. The send cannot block: a
// fresh connection's send buffer takes the whole answer.
void AnswerBusy(const Poco::Net::StreamSocket& socket, size_t arrived) {
  const int fd = socket.impl()->sockfd();
  std::array<char, 16384> sink{};
  while (arrived > 0) {
    const ssize_t n = ::recv(fd, sink.data(), std::min(arrived, sink.size()), MSG_DONTWAIT);
    if (n <= 0) break;
    arrived -= std::min(arrived, static_cast<size_t>(n));
  }
  const std::string body =
      R"({"error":"too many long requests are waiting; retry later","code":"busy"})";
  const std::string answer =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: " +
      std::to_string(WorkerLanes::kRetryAfterSeconds) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  if (::send(fd, answer.data(), answer.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    LogWarning("long-request lane full: could not answer 503: errno " + std::to_string(errno));
  }
  ::shutdown(fd, SHUT_WR);
}

}  // namespace

class WorkerLanes::Lanes {
 public:
  struct One {
    LaneFactory* factory = nullptr;  // owned by the connection factory's reference
    Poco::AutoPtr<Poco::Net::TCPServerDispatcher> dispatcher;
    int max_queued = 0;
  };
  Lanes(const LaneSettings& settings, LaneLimits view, LaneLimits long_requests)
      : view_(Make(settings, Lane::kView, view)),
        long_(Make(settings, Lane::kLong, long_requests)) {}
  One& Of(Lane lane) { return lane == Lane::kLong ? long_ : view_; }
  const One& Of(Lane lane) const { return lane == Lane::kLong ? long_ : view_; }
  HandOverTimes& times() { return times_; }

 private:
  One Make(const LaneSettings& settings, Lane lane, LaneLimits limits) {
    One one;
    one.factory = new LaneFactory(settings.handlers, lane);
    const Poco::Net::HTTPRequestHandlerFactory::Ptr handlers = one.factory;
    const Poco::Net::HTTPServerParams::Ptr params = LaneParams(*settings.http, limits);
    one.dispatcher = new Poco::Net::TCPServerDispatcher(
        new ConnectionFactory(params, handlers, settings.heads, &times_, lane),
        PoolFor(lane, limits.threads), params);
    one.factory->set_workers(one.dispatcher.get());
    one.max_queued = limits.max_queued;
    return one;
  }

  HandOverTimes times_;  // first: the lanes' connections use it
  One view_;
  One long_;
};

WorkerLanes::WorkerLanes(const LaneSettings& settings, LaneLimits view, LaneLimits long_requests)
    : lanes_(std::make_unique<Lanes>(settings, view, long_requests)) {}

WorkerLanes::~WorkerLanes() {
  try {
    Stop();
  } catch (...) {  // Poco's dispatcher and events may throw; a destructor must not
    LogWarning("worker lanes: stopping failed");
  }
}

void WorkerLanes::Dispatch(const Poco::Net::StreamSocket& socket, std::string_view head) {
  const Lane which = LaneOfHead(head);
  Lanes::One& lane = lanes_->Of(which);
  if (which == Lane::kLong && lane.dispatcher->queuedConnections() >= lane.max_queued) {
    ++refused_busy_;
    AnswerBusy(socket, head.size());
    return;
  }
  lanes_->times().Mark(socket);
  lane.dispatcher->enqueue(socket);
}

void WorkerLanes::Stop() {
  if (stopped_.exchange(true)) return;
  for (Lane lane : {Lane::kView, Lane::kLong}) {
    Lanes::One& one = lanes_->Of(lane);
    one.dispatcher->stop();
    one.factory->ServerStopped(one.dispatcher.get());
  }
}

int WorkerLanes::current_connections() const {
  return lanes_->Of(Lane::kView).dispatcher->currentConnections() +
         lanes_->Of(Lane::kLong).dispatcher->currentConnections();
}

int WorkerLanes::queued(Lane lane) const {
  return lanes_->Of(lane).dispatcher->queuedConnections();
}

std::chrono::steady_clock::duration WorkerLanes::TakeQueuedTime() {
  return std::exchange(t_queued, {});
}

}  // namespace arkwiki::web
