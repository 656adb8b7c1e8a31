// Raw loopback sockets for tests that must control every byte a client
// sends (split or unfinished request heads).
#pragma once

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <string>

namespace arkwiki::testing {

inline Poco::Net::StreamSocket Connect(int port, int timeout_seconds = 30) {
  Poco::Net::StreamSocket s;
  s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
            Poco::Timespan(10, 0));
  s.setReceiveTimeout(Poco::Timespan(timeout_seconds, 0));
  return s;
}

inline void SendAll(Poco::Net::StreamSocket& s, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    int n = s.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    ASSERT_GT(n, 0);
    sent += static_cast<size_t>(n);
  }
}

// True once the server has closed `s` (end of file or reset, after any
// reply it sends); false if the socket's receive timeout passed first.
inline bool ServerCloses(Poco::Net::StreamSocket& s) {
  char buf[4096];
  for (;;) {
    try {
      if (s.receiveBytes(buf, sizeof buf) <= 0) return true;
    } catch (const Poco::TimeoutException&) {
      return false;
    } catch (const Poco::Exception&) {
      return true;  // reset
    }
  }
}

}  // namespace arkwiki::testing
