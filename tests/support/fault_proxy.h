// A fault-injecting HTTP/1.1 proxy on loopback, between a client under test
// and a real server (s3rver). It reads each request's head and
// Content-Length body, counts it, and either forwards it or applies the
// first matching fault rule:
//   - kDropMidBody: forwards the head and half the body, then closes both
//     connections (a connection dropped in the middle of a part);
//   - kFlipBodyByte: forwards the request with the first byte of its body
//     inverted (damage on the way: the server stores other bytes of the
//     same size, and its ETag is their MD5);
//   - kDelay: reads the whole request and holds it for delay_ms (or until
//     a request matching until_seen arrives) before forwarding it, so the
//     answer comes late; a request whose client gave up meanwhile is
//     dropped, not forwarded;
//   - kAnswer: answers status/code itself (500, 503, SlowDown) without
//     forwarding, keeping the connection;
//   - kDropMidAnswer: forwards the request, passes the first answer_bytes
//     bytes of the answer back, then closes both connections;
//   - kRawAnswer: answers raw_answer (head and body, as written by the
//     test: a hostile or broken server) without forwarding, then
//     raw_repeat again and again until the client goes (an endless body),
//     then closes the connection if close_after.
// Answers from the server are passed through unparsed. One upstream
// connection per client connection; no pipelining (S3 clients send one
// request at a time on a connection).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace arkwiki::testing {

struct FaultRule {
  enum class Action { kDropMidBody, kFlipBodyByte, kDelay, kAnswer, kDropMidAnswer, kRawAnswer };
  Action action = Action::kAnswer;
  std::string method;           // "" matches any
  std::string target_contains;  // substring of the request target; "" any
  int skip = 0;                 // let this many matching requests through first
  int times = 1;                // then apply to this many
  int delay_ms = 0;             // kDelay
  // kDelay: the wait also ends once a request whose target contains this
  // has been seen (threads meet there instead of sleeping); "" = no such end.
  std::string until_seen;
  int status = 503;               // kAnswer
  std::string code = "SlowDown";  // kAnswer: the S3 error code in the body
  int64_t answer_bytes = 0;       // kDropMidAnswer
  std::string raw_answer;         // kRawAnswer
  std::string raw_repeat;         // kRawAnswer: "" = none
  bool close_after = false;       // kRawAnswer
  bool flip_body_byte = false;    // kDropMidAnswer: as kFlipBodyByte, too
};

struct SeenRequest {
  std::string method;
  std::string target;
  uint64_t body_bytes = 0;
  std::string range;  // the Range header's value, if any
  bool faulted = false;
};

class FaultProxy {
 public:
  // Listens on 127.0.0.1 on a free port, forwarding to 127.0.0.1:upstream_port.
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();  // Stop()
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  bool ok() const { return listen_fd_ >= 0; }
  int port() const { return port_; }
  void AddRule(const FaultRule& rule);
  // Every request head read so far, in order.
  std::vector<SeenRequest> Seen() const;
  // How many seen requests have `method` and a target containing `part`.
  int Count(const std::string& method, const std::string& part) const;
  // Waits until Count(method, part) >= n; false at the timeout.
  bool WaitUntilSeen(const std::string& method, const std::string& part, int n,
                     std::chrono::milliseconds timeout);
  void Stop();

 private:
  struct RuleState {
    FaultRule rule;
    int matched = 0;
  };
  void AcceptLoop();
  void Serve(int client_fd);
  // The rule to apply to this request, if any (consumes one use).
  bool TakeFault(const std::string& method, const std::string& target, FaultRule* out);

  int upstream_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;  // wakes kDelay waits at Stop() and on each request
  // Sends a kRawAnswer rule's answer; false when the connection must end.
  bool SendRaw(int client, const FaultRule& rule);
  bool SeenTarget(const std::string& part) const;  // mu_ held
  std::vector<RuleState> rules_;
  std::vector<SeenRequest> seen_;
  std::vector<int> open_fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace arkwiki::testing
