// Connections whose request heads arrive slowly wait outside the worker
// threads: they must not delay anyone else, however many there are and
// however long the head deadline is.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <vector>

#include "raw_socket.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

// The reply's status line, or "" if none came within the receive timeout.
std::string StatusLine(Poco::Net::StreamSocket& s) {
  std::string in;
  char buf[4096];
  while (in.find("\r\n") == std::string::npos) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::Exception&) {
      return "";
    }
    if (n <= 0) return "";
    in.append(buf, static_cast<size_t>(n));
  }
  return in.substr(0, in.find("\r\n"));
}

class ConnectionGateTest : public WikiServerTest {
 protected:
  static constexpr int kWorkers = 2;

  void SetUp() override {
    WikiServerTest::SetUp();
    if (HasFatalFailure()) return;
    // A deadline far beyond the test: only the gate can keep the workers free.
    RestartWithConfig("threads = " + std::to_string(kWorkers) + "\nhead_timeout_ms = 600000\n");
  }
};

TEST_F(ConnectionGateTest, UnfinishedHeadsHoldNoWorker) {
  std::vector<Poco::Net::StreamSocket> slow;
  for (int i = 0; i < 10 * kWorkers; ++i) {
    slow.push_back(Connect(server_->port()));
    SendAll(slow.back(), "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  }
  for (int i = 0; i < 2 * kWorkers; ++i) {
    Poco::Net::StreamSocket fresh = Connect(server_->port());
    SendAll(fresh, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(StatusLine(fresh), "HTTP/1.1 200 OK");
  }
}

TEST_F(ConnectionGateTest, HeadSentInPiecesIsServedOnceComplete) {
  Poco::Net::StreamSocket s = Connect(server_->port());
  SendAll(s, "GET /api/health HTTP/1.1\r\n");
  SendAll(s, "Host: 127.0.0.1\r\n");
  SendAll(s, "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusLine(s), "HTTP/1.1 200 OK");
}

TEST_F(ConnectionGateTest, HeadCutShortByTheClientIsNotKeptUntilTheDeadline) {
  Poco::Net::StreamSocket s = Connect(server_->port());
  SendAll(s, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  s.shutdownSend();
  // Nothing more can come: the server answers what it has, or closes.
  EXPECT_TRUE(ServerCloses(s));
}

}  // namespace
}  // namespace arkwiki::testing
