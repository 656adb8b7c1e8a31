// ConnectionGate: accepts connections and hands each to a worker thread
// only once its whole request head has arrived.
//
// Poco's HTTPServer gives a connection a worker as soon as it is accepted,
// and the worker then blocks reading the request head. Connections that
// send their heads slowly (slowloris) thus hold every worker until their
// head deadline ends them, and nothing else is served meanwhile. The gate
// waits for first heads on one thread instead, for any number of
// connections: it watches new connections with epoll and peeks at what
// has arrived (MSG_PEEK, so the bytes stay for the worker's reader). A
// connection goes to `ready` once its head is complete (an empty line),
// once kMaxHeadBytes have arrived without one (the worker's parser then
// refuses it), or once its peer has sent everything it will send. A
// connection whose head is not complete within `limit` of its acceptance is
// closed unanswered; beyond kMaxWaiting waiting connections, new ones are
// closed at once. Heads after the first on a kept-alive connection are
// the worker's (HeadDeadline).
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <thread>
#include <vector>

namespace arkwiki::web {

class ConnectionGate {
 public:
  static constexpr size_t kMaxHeadBytes = size_t{64} << 10;
  static constexpr size_t kMaxWaiting = 1024;
  // Takes a connection whose head is ready, with the bytes that have
  // arrived (still unread: the worker's reader gets them); they begin
  // with the request line.
  using Ready = std::function<void(const Poco::Net::StreamSocket&, std::string_view head)>;

  // Starts accepting on `listener` (bound and listening already).
  ConnectionGate(const Poco::Net::ServerSocket& listener, std::chrono::milliseconds limit,
                 Ready ready);
  ~ConnectionGate();  // Stop()
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  // Stops accepting and closes the connections still waiting. Idempotent.
  void Stop();
  // Connections closed because their head missed the deadline.
  int64_t expired() const { return expired_; }
  // Connections waiting for their head now.
  int waiting() const { return waiting_count_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiting {
    Poco::Net::StreamSocket socket;
    Clock::time_point deadline;
  };
  void Run();
  void AcceptAll();
  // `peer_done`: the peer has shut down its side (EPOLLRDHUP).
  void Check(int fd, bool peer_done);
  // Stops waiting for `fd`'s head; hands the connection over with `head`
  // if `hand_over`, else closes it.
  void Release(int fd, bool hand_over, std::string_view head = {});
  void ExpireLate();
  int MillisToNextDeadline() const;

  Poco::Net::ServerSocket listener_;
  const std::chrono::milliseconds limit_;
  const Ready ready_;
  int epoll_ = -1;
  int wake_ = -1;                   // an eventfd that Stop() signals
  std::map<int, Waiting> waiting_;  // by descriptor; the gate's thread only
  std::vector<char> peek_;
  std::atomic<int64_t> expired_{0};
  std::atomic<int> waiting_count_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace arkwiki::web
