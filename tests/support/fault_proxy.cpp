#include "support/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <chrono>

namespace arkwiki::testing {
namespace {

bool SendAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t sent = ::send(fd, data, n, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data += sent;
    n -= static_cast<size_t>(sent);
  }
  return true;
}

// Appends what the socket has to `buf`; false at end of stream or error.
bool ReadSome(int fd, std::string* buf) {
  char chunk[64 * 1024];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
    return true;
  }
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  if (fd >= 0) ::close(fd);
  return -1;
}

struct Head {
  std::string method;
  std::string target;
  std::string range;
  uint64_t content_length = 0;
};

Head ParseHead(const std::string& head) {
  Head h;
  const size_t sp1 = head.find(' ');
  const size_t sp2 = head.find(' ', sp1 + 1);
  h.method = head.substr(0, sp1);
  h.target = head.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t line = head.find("\r\n");
  while (line != std::string::npos && line + 2 < head.size()) {
    const size_t end = head.find("\r\n", line + 2);
    const std::string field = head.substr(line + 2, end - line - 2);
    if (strncasecmp(field.c_str(), "content-length:", 15) == 0) {
      h.content_length = std::stoull(field.substr(15));
    } else if (strncasecmp(field.c_str(), "range:", 6) == 0) {
      h.range = field.substr(field.find_first_not_of(' ', 6));
    }
    line = end;
  }
  return h;
}

std::string ErrorAnswer(int status, const std::string& code) {
  const std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                           "</Code><Message>injected by the test proxy</Message></Error>";
  return "HTTP/1.1 " + std::to_string(status) + " Injected\r\nContent-Type: application/xml\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: keep-alive\r\n\r\n" +
         body;
}

// Reads a `length`-byte request body (what `pending` holds first, then the
// socket) and forwards its first `forward` bytes to `up` (none when `up`
// is -1), the first of them inverted when `flip_first`. With forward <
// length it stops there, the rest unread: the caller drops the
// connection. False if a socket failed.
bool PassBody(int client, int up, std::string* pending, uint64_t length, uint64_t forward,
              bool flip_first = false) {
  uint64_t moved = 0;
  while (moved < length) {
    if (pending->empty() && !ReadSome(client, pending)) return false;
    if (moved == 0 && flip_first) (*pending)[0] = static_cast<char>(~(*pending)[0]);
    const auto n = static_cast<size_t>(std::min<uint64_t>(pending->size(), length - moved));
    const auto to_send =
        static_cast<size_t>(moved < forward ? std::min<uint64_t>(n, forward - moved) : 0);
    if (up >= 0 && to_send > 0 && !SendAll(up, pending->data(), to_send)) return false;
    pending->erase(0, n);
    moved += n;
    if (forward < length && moved >= forward) return true;
  }
  return true;
}

// Moves a `length`-byte request body from `pending` (read from the
// socket as needed) to the end of `out`.
bool TakeBody(int client, std::string* pending, uint64_t length, std::string* out) {
  while (pending->size() < length) {
    if (!ReadSome(client, pending)) return false;
  }
  out->append(*pending, 0, static_cast<size_t>(length));
  pending->erase(0, static_cast<size_t>(length));
  return true;
}

// Whether the client has closed its end (nothing more to read, ever).
bool ClientGone(int client) {
  char c;
  return ::recv(client, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

// Reads up to the end of the next request head into `head`.
bool ReadHead(int client, std::string* pending, std::string* head) {
  size_t end;
  while ((end = pending->find("\r\n\r\n")) == std::string::npos) {
    if (!ReadSome(client, pending)) return false;
  }
  *head = pending->substr(0, end + 4);
  pending->erase(0, end + 4);
  return true;
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd, 64) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return;
  }
  listen_fd_ = fd;
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

FaultProxy::~FaultProxy() { Stop(); }

void FaultProxy::AddRule(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back({rule, 0});
}

std::vector<SeenRequest> FaultProxy::Seen() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

int FaultProxy::Count(const std::string& method, const std::string& part) const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const SeenRequest& r) {
    return r.method == method && r.target.find(part) != std::string::npos;
  }));
}

bool FaultProxy::WaitUntilSeen(const std::string& method, const std::string& part, int n,
                               std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return stop_cv_.wait_for(lock, timeout, [&] {
    return std::count_if(seen_.begin(), seen_.end(), [&](const SeenRequest& r) {
             return r.method == method && r.target.find(part) != std::string::npos;
           }) >= n;
  });
}

bool FaultProxy::TakeFault(const std::string& method, const std::string& target, FaultRule* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (RuleState& state : rules_) {
    const FaultRule& r = state.rule;
    if (!r.method.empty() && r.method != method) continue;
    if (target.find(r.target_contains) == std::string::npos) continue;
    const int n = state.matched++;
    if (n < r.skip || n >= r.skip + r.times) continue;
    *out = r;
    return true;
  }
  return false;
}

void FaultProxy::AcceptLoop() {
  for (;;) {
    const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && errno == EINTR) continue;
    if (client < 0 || stopping_) {
      if (client >= 0) ::close(client);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    open_fds_.push_back(client);
    threads_.emplace_back([this, client] { Serve(client); });
  }
}

void FaultProxy::Serve(int client) {
  const int up = ConnectLoopback(upstream_port_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (up >= 0) open_fds_.push_back(up);
  }
  std::mutex write_mu;  // the pump and injected answers both write to `client`
  // Bytes of answer the pump may still pass before cutting both
  // connections (kDropMidAnswer); -1 = no limit.
  std::atomic<int64_t> answer_budget{-1};
  std::thread pump([&] {
    std::string buf;
    while (up >= 0 && ReadSome(up, &buf)) {
      const int64_t budget = answer_budget.load();
      const size_t n = budget < 0 ? buf.size() : std::min<size_t>(buf.size(), budget);
      std::lock_guard<std::mutex> lock(write_mu);
      if (!SendAll(client, buf.data(), n)) break;
      buf.clear();
      if (budget >= 0 && (answer_budget -= static_cast<int64_t>(n)) <= 0) break;
    }
    ::shutdown(client, SHUT_RDWR);
    if (up >= 0) ::shutdown(up, SHUT_RDWR);
  });
  std::string pending;
  std::string head;
  while (up >= 0 && ReadHead(client, &pending, &head)) {
    const Head h = ParseHead(head);
    FaultRule fault;
    const bool faulted = TakeFault(h.method, h.target, &fault);
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_.push_back({h.method, h.target, h.content_length, h.range, faulted});
    }
    stop_cv_.notify_all();
    using Action = FaultRule::Action;
    if (faulted && fault.action == Action::kRawAnswer) {
      if (!PassBody(client, -1, &pending, h.content_length, h.content_length)) break;
      std::lock_guard<std::mutex> lock(write_mu);
      if (!SendRaw(client, fault)) break;
      continue;
    }
    if (faulted && fault.action == Action::kAnswer) {
      if (!PassBody(client, -1, &pending, h.content_length, h.content_length)) break;
      const std::string answer = ErrorAnswer(fault.status, fault.code);
      std::lock_guard<std::mutex> lock(write_mu);
      if (!SendAll(client, answer.data(), answer.size())) break;
      continue;
    }
    if (faulted && fault.action == Action::kDropMidAnswer) answer_budget = fault.answer_bytes;
    if (faulted && fault.action == Action::kDelay) {
      // The whole request is read first, and dropped if the client gave up
      // meanwhile: s3rver writes a part as it arrives, so a late copy of a
      // part (cut short, or racing the completion) would change the object.
      if (!TakeBody(client, &pending, h.content_length, &head)) break;
      {
        std::unique_lock<std::mutex> lock(mu_);
        stop_cv_.wait_for(lock, std::chrono::milliseconds(fault.delay_ms), [&] {
          return stopping_.load() || (!fault.until_seen.empty() && SeenTarget(fault.until_seen));
        });
      }
      if (ClientGone(client) || !SendAll(up, head.data(), head.size())) break;
      continue;
    }
    if (!SendAll(up, head.data(), head.size())) break;
    const bool drop = faulted && fault.action == Action::kDropMidBody;
    const bool flip = faulted && h.content_length > 0 &&
                      (fault.action == Action::kFlipBodyByte || fault.flip_body_byte);
    const uint64_t limit = drop ? h.content_length / 2 : h.content_length;
    if (!PassBody(client, up, &pending, h.content_length, limit, flip) || drop) break;
  }
  ::shutdown(client, SHUT_RDWR);
  if (up >= 0) ::shutdown(up, SHUT_RDWR);
  pump.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (int fd : {client, up}) {
    const auto it = std::find(open_fds_.begin(), open_fds_.end(), fd);
    if (fd >= 0 && it != open_fds_.end()) {
      open_fds_.erase(it);
      ::close(fd);
    }
  }
}

bool FaultProxy::SeenTarget(const std::string& part) const {
  return std::any_of(seen_.begin(), seen_.end(), [&](const SeenRequest& r) {
    return r.target.find(part) != std::string::npos;
  });
}

bool FaultProxy::SendRaw(int client, const FaultRule& rule) {
  if (!SendAll(client, rule.raw_answer.data(), rule.raw_answer.size())) return false;
  while (!rule.raw_repeat.empty() && !stopping_) {
    if (!SendAll(client, rule.raw_repeat.data(), rule.raw_repeat.size())) return false;
  }
  return !rule.close_after && rule.raw_repeat.empty();
}

void FaultProxy::Stop() {
  if (listen_fd_ < 0) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    threads.swap(threads_);
  }
  for (std::thread& t : threads) t.join();
  ::close(listen_fd_);
  listen_fd_ = -1;
}

}  // namespace arkwiki::testing
