#include "load/slowloris.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

namespace arkwiki::load {
namespace {

using Clock = std::chrono::steady_clock;

struct Slot {
  int fd = -1;
  int lines = 0;
  Clock::time_point opened;
};

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool SendText(int fd, const std::string& text) {
  return ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}

class Pack {
 public:
  Pack(int port, const LoadOptions& options, LoadLog* log)
      : port_(port), log_(log), slots_(static_cast<size_t>(options.slowloris)) {}
  ~Pack() {
    for (Slot& s : slots_) {
      if (s.fd >= 0) ::close(s.fd);
    }
  }
  Pack(const Pack&) = delete;
  Pack& operator=(const Pack&) = delete;

  // Opens every closed slot with a new connection and its request line.
  void Open() {
    for (Slot& s : slots_) {
      if (s.fd >= 0) continue;
      s.fd = Connect(port_);
      s.lines = 0;
      s.opened = Clock::now();
      if (s.fd < 0) {
        log_->Count("slowloris connect refused");
      } else if (SendText(s.fd, "GET /wiki/page-0 HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
        log_->Count("slowloris connections");
      } else {
        Closed(&s, "");
      }
    }
  }

  // Sends each open slot one more header line, then reaps the slots the
  // server has closed.
  void Trickle() {
    for (Slot& s : slots_) {
      if (s.fd < 0) continue;
      if (!SendText(s.fd, "X-Slow-" + std::to_string(s.lines++) + ": hold\r\n")) Closed(&s, "");
    }
    std::vector<pollfd> fds;
    for (const Slot& s : slots_) {
      if (s.fd >= 0) fds.push_back({s.fd, POLLIN, 0});
    }
    if (fds.empty() || ::poll(fds.data(), fds.size(), 0) <= 0) return;
    for (const pollfd& p : fds) {
      if ((p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      for (Slot& s : slots_) {
        if (s.fd == p.fd) Drain(&s);
      }
    }
  }

  // Lifetimes of the slots still open count as held until the end.
  int64_t StillOpen() const {
    int64_t n = 0;
    for (const Slot& s : slots_) n += s.fd >= 0 ? 1 : 0;
    return n;
  }

 private:
  // The server sent something or closed: read what it sent, then close.
  void Drain(Slot* s) {
    std::string reply;
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(s->fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        reply.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && reply.empty()) return;
      break;  // end of file, reset, or no more bytes after a reply
    }
    Closed(s, reply);
  }

  void Closed(Slot* s, const std::string& reply) {
    ::close(s->fd);
    s->fd = -1;
    log_->Record(kSlowHold,
                 std::chrono::duration<double, std::milli>(Clock::now() - s->opened).count());
    if (reply.empty()) {
      log_->Count("slowloris closed by server");
    } else if (reply.rfind("HTTP/1.1 408", 0) == 0 || reply.rfind("HTTP/1.0 408", 0) == 0) {
      log_->Count("slowloris answered 408");
    } else {
      log_->Fail(kSlowHold, "a slow head was answered: " + reply.substr(0, reply.find('\r')));
    }
  }

  const int port_;
  LoadLog* log_;
  std::vector<Slot> slots_;
};

}  // namespace

void RunSlowloris(int port, const LoadOptions& options, LoadLog* log, std::latch* start,
                  const StopSignal& stop) {
  Pack pack(port, options, log);
  pack.Open();
  start->arrive_and_wait();
  // The pause between header lines is the attack's own pace, not a wait
  // for another thread.
  while (!stop.WaitFor(std::chrono::milliseconds(options.slow_line_ms))) {
    pack.Trickle();
    pack.Open();
  }
  log->Count("slowloris open at the end", pack.StillOpen());
}

}  // namespace arkwiki::load
