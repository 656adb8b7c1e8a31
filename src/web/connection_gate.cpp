#include "connection_gate.h"

#include <Poco/Net/StreamSocketImpl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "arkwiki/core/log.h"

namespace arkwiki::web {
namespace {

constexpr int kMaxEvents = 64;
// The longest the gate's thread sleeps, so that Stop() is never missed for
// long even if its wake-up were lost.
constexpr int kMaxSleepMs = 1000;

bool HeadComplete(std::string_view bytes) {
  return bytes.find("\r\n\r\n") != std::string_view::npos ||
         bytes.find("\n\n") != std::string_view::npos;
}

void Watch(int epoll, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev) != 0) {
    LogWarning("connection gate: epoll_ctl: " + std::to_string(errno));
  }
}

}  // namespace

ConnectionGate::ConnectionGate(const Poco::Net::ServerSocket& listener,
                               std::chrono::milliseconds limit, Ready ready)
    : listener_(listener),
      limit_(limit),
      ready_(std::move(ready)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      peek_(kMaxHeadBytes),
      thread_([this] { Run(); }) {}

ConnectionGate::~ConnectionGate() {
  Stop();
  if (wake_ >= 0) ::close(wake_);
  if (epoll_ >= 0) ::close(epoll_);
}

void ConnectionGate::Stop() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  if (::write(wake_, &one, sizeof one) != static_cast<ssize_t>(sizeof one)) {
    LogWarning("connection gate: no wake-up; stopping within a second");
  }
  thread_.join();
  waiting_.clear();  // the last reference to each socket: closes it
  waiting_count_ = 0;
}

void ConnectionGate::Run() {
  const int listen_fd = listener_.impl()->sockfd();
  listener_.setBlocking(false);
  Watch(epoll_, listen_fd, EPOLLIN);
  Watch(epoll_, wake_, EPOLLIN);
  epoll_event events[kMaxEvents];
  while (!stopping_) {
    const int n = ::epoll_wait(epoll_, events, kMaxEvents, MillisToNextDeadline());
    for (int i = 0; i < n && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == listen_fd) {
        AcceptAll();
      } else if (fd != wake_) {
        Check(fd, (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      }
    }
    ExpireLate();
  }
}

void ConnectionGate::AcceptAll() {
  const int listen_fd = listener_.impl()->sockfd();
  for (;;) {
    // A blocking socket, as the workers' reader expects.
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: none left; anything else: try at the next event
    Poco::Net::StreamSocket socket(new Poco::Net::StreamSocketImpl(fd));
    if (waiting_.size() >= kMaxWaiting) continue;  // dropped: closes it
    socket.setNoDelay(true);
    waiting_.emplace(fd, Waiting{socket, Clock::now() + limit_});
    waiting_count_ = static_cast<int>(waiting_.size());
    // Edge-triggered: one event per arrival of new bytes, although the
    // peeked bytes stay unread.
    Watch(epoll_, fd, EPOLLIN | EPOLLRDHUP | EPOLLET);
    Check(fd, false);  // bytes that came with the handshake raise no new edge
  }
}

void ConnectionGate::Check(int fd, bool peer_done) {
  if (waiting_.count(fd) == 0) return;
  const ssize_t n = ::recv(fd, peek_.data(), peek_.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  if (n <= 0) return Release(fd, false);  // closed or failed before a head: drop it
  const auto size = static_cast<size_t>(n);
  // A peer that shut down its side sends nothing more: the worker answers
  // what it sent (its parser refuses an incomplete head).
  const std::string_view head(peek_.data(), size);
  if (peer_done || size == peek_.size() || HeadComplete(head)) Release(fd, true, head);
}

void ConnectionGate::Release(int fd, bool hand_over, std::string_view head) {
  auto it = waiting_.find(fd);
  if (it == waiting_.end()) return;
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  Poco::Net::StreamSocket socket = it->second.socket;
  waiting_.erase(it);
  waiting_count_ = static_cast<int>(waiting_.size());
  if (hand_over) ready_(socket, head);
}

void ConnectionGate::ExpireLate() {
  const Clock::time_point now = Clock::now();
  std::vector<int> late;
  for (const auto& [fd, w] : waiting_) {
    if (w.deadline <= now) late.push_back(fd);
  }
  for (int fd : late) {
    Release(fd, false);
    ++expired_;
  }
}

int ConnectionGate::MillisToNextDeadline() const {
  Clock::time_point next = Clock::now() + std::chrono::milliseconds(kMaxSleepMs);
  for (const auto& [fd, w] : waiting_) next = std::min(next, w.deadline);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms + 1, 0, kMaxSleepMs));
}

}  // namespace arkwiki::web
