// The HTTP layer against hostile clients, over raw sockets on loopback:
// split headers, oversize anonymous bodies, 405s, https-only cookies,
// flashes from the URL, and connections that send their request head
// slowly.
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cctype>
#include <chrono>
#include <vector>

#include "arkwiki/core/url.h"
#include "raw_socket.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

// Reads until the head is complete (and, if `whole`, until the server
// closes); "" when the connection ends or times out first.
std::string ReadReply(Poco::Net::StreamSocket& s, bool whole) {
  std::string in;
  char buf[4096];
  for (int i = 0; i < 100000; ++i) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::Exception&) {
      break;  // timeout or reset
    }
    if (n <= 0) break;
    in.append(buf, static_cast<size_t>(n));
    if (!whole && in.find("\r\n\r\n") != std::string::npos) return in;
  }
  return whole || in.find("\r\n\r\n") != std::string::npos ? in : "";
}

bool HasSecureAttribute(const std::string& cookie) {
  std::string lower = cookie;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return lower.find("; secure") != std::string::npos;
}

std::string HeaderLine(const std::string& head, const std::string& name) {
  size_t pos = head.find("\r\n" + name + ": ");
  if (pos == std::string::npos) return "";
  pos += 2;
  return head.substr(pos, head.find("\r\n", pos) - pos);
}

using HttpHardeningTest = WikiServerTest;

TEST_F(HttpHardeningTest, LoginNextWithCrlfInjectsNoHeader) {
  HttpClient c = Client();
  const std::string csrf = ExtractCsrf(c.Get("/login").body);
  ASSERT_FALSE(csrf.empty());
  const std::string form = "name=reader&password=" + UrlEncodeComponent(kPassword) +
                           "&csrf=" + csrf + "&next=%2F%0D%0ASet-Cookie%3A%20pwn%3D1";
  Poco::Net::StreamSocket s = Connect(server_->port());
  SendAll(s,
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          "Cookie: arkwiki_login_csrf=" +
              c.cookies()["arkwiki_login_csrf"] +
              "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              "Content-Length: " +
              std::to_string(form.size()) + "\r\n\r\n" + form);
  const std::string reply = ReadReply(s, true);
  ASSERT_EQ(reply.rfind("HTTP/1.1 303", 0), 0u) << reply;
  const std::string head = reply.substr(0, reply.find("\r\n\r\n") + 2);
  EXPECT_EQ(head.find("pwn"), std::string::npos) << head;
  EXPECT_EQ(HeaderLine(head, "Location"), "Location: /");
}

TEST_F(HttpHardeningTest, LoginNextWithTabOrSpaceFallsBackToHome) {
  for (const std::string next : {"/\tx", "/a b", "/\nx", "/\x7fx"}) {
    HttpClient c = Client();
    const std::string csrf = ExtractCsrf(c.Get("/login").body);
    HttpResponse r = c.PostForm(
        "/login", {{"name", "reader"}, {"password", kPassword}, {"csrf", csrf}, {"next", next}});
    EXPECT_EQ(r.status, 303) << next;
    EXPECT_EQ(r.Header("location"), "/") << next;
  }
}

TEST_F(HttpHardeningTest, OversizeAnonymousPostIsRefusedBeforeItsBodyIsSent) {
  // Only the head goes out: a server that reads the body before answering
  // never answers, and the read below times out.
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: 71680\r\n\r\n");
  const std::string reply = ReadReply(s, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  EXPECT_TRUE(ServerCloses(s));
}

// /setup takes anonymous forms in the long-request lane while a fresh wiki
// is set up; once it has users, a POST there is 404 before its body is
// read, so trickled bodies cannot hold that lane's few workers. Only the
// head goes out: a server that waited for the body would answer
// something else, after its body deadline.
TEST_F(HttpHardeningTest, SetupPostOnAWikiWithUsersIsRefusedBeforeItsBodyIsSent) {
  for (const std::string path : {"/setup", "/setup/restore"}) {
    Poco::Net::StreamSocket s = Connect(server_->port(), 20);
    SendAll(s, "POST " + path +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/x-www-form-urlencoded\r\n"
                   "Content-Length: 1000\r\n\r\ncode=");
    const std::string reply = ReadReply(s, false);
    EXPECT_EQ(reply.rfind("HTTP/1.1 404", 0), 0u) << path << ": " << reply;
  }
}

TEST_F(HttpHardeningTest, OversizeFormFromLoggedInUserIsRefusedBeforeItsBodyIsSent) {
  HttpClient c = Client();
  ASSERT_TRUE(LoginWithForm(c, "reader", kPassword));
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /preferences HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Cookie: arkwiki_session=" +
              c.cookies()["arkwiki_session"] +
              "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
              "Content-Length: 71680\r\n\r\n");
  const std::string reply = ReadReply(s, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
}

TEST_F(HttpHardeningTest, RefusalBeforeTheBodyIsReadReachesAClientStillSendingIt) {
  // 48 MiB: more than loopback's socket buffers hold while the server reads
  // nothing, so the client is still sending when the 403 goes out. A server
  // that closes with the body unread resets the connection: this send
  // fails and the answer is lost.
  const std::string body(size_t{48} << 20, 'x');
  Poco::Net::StreamSocket s = Connect(server_->port(), 60);
  SendAll(s, "POST /api/backups/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                 tokens_["editor"] + "\r\nContent-Type: application/zip\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body);
  const std::string reply = ReadReply(s, true);
  EXPECT_EQ(reply.rfind("HTTP/1.1 403", 0), 0u) << reply.substr(0, 300);
}

TEST_F(HttpHardeningTest, AnonymousRefusalReadsNoMoreThanTheAnonymousLimit) {
  // The 401 comes before the size check; the server must not read a large
  // anonymous body to its end, so it closes with the body unread.
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /api/backups/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/zip\r\nContent-Length: 1048576\r\n\r\n");
  const std::string reply = ReadReply(s, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 401", 0), 0u) << reply;
  EXPECT_TRUE(ServerCloses(s));
}

TEST_F(HttpHardeningTest, AnonymousTrickleAfterARefusalIsCutOffWithinSeconds) {
  // The server lingers to let its 401 arrive, giving a stranger 2 s. The
  // client sends one byte of the declared 1,000 every 200 ms (the read
  // timeout paces it) and must be cut off long before its 100th byte
  // (20 s); a per-read timeout alone would let it trickle for minutes.
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /api/backups/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/zip\r\nContent-Length: 1000\r\n\r\nx");
  const std::string reply = ReadReply(s, false);
  ASSERT_EQ(reply.rfind("HTTP/1.1 401", 0), 0u) << reply;
  s.setReceiveTimeout(Poco::Timespan(0, 200000));
  bool closed = false;
  for (int sent = 1; sent < 100 && !closed; ++sent) {
    try {
      char buf[256];
      if (s.receiveBytes(buf, sizeof buf) <= 0) closed = true;
    } catch (const Poco::TimeoutException&) {
      // Nothing from the server yet: send the next byte.
    } catch (const Poco::Exception&) {
      closed = true;  // reset
    }
    if (closed) break;
    try {
      s.sendBytes("x", 1);
    } catch (const Poco::Exception&) {
      closed = true;
    }
  }
  EXPECT_TRUE(closed) << "the server kept reading a trickled anonymous body";
}

TEST_F(HttpHardeningTest, AnonymousFormTrickledSlowerThanTheBodyDeadlineIsRefused) {
  // A login form of a declared 1,000 bytes, sent a byte every 200 ms (the
  // read timeout paces it): the server answers 400 after 10 s, long before
  // the 100th byte (20 s); a per-read timeout alone would let it take 200 s
  // and hold a worker all along.
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nn");
  s.setReceiveTimeout(Poco::Timespan(0, 200000));
  std::string answer;
  for (int sent = 1; sent < 100 && answer.empty(); ++sent) {
    try {
      char buf[256];
      const int n = s.receiveBytes(buf, sizeof buf);
      answer = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "(closed)";
    } catch (const Poco::TimeoutException&) {
      s.sendBytes("x", 1);
    }
  }
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
}

TEST_F(HttpHardeningTest, RequestWithBothContentLengthAndChunkedIsRefused) {
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s,
          "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1\r\n"
          "Transfer-Encoding: chunked\r\n\r\n5\r\nname=\r\n0\r\n\r\n");
  const std::string reply = ReadReply(s, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

// Poco reads the first Content-Length; a proxy in front may have read the
// other, and the rest of the body would then be read as a second request.
TEST_F(HttpHardeningTest, RequestWithTwoContentLengthHeadersIsRefused) {
  Poco::Net::StreamSocket s = Connect(server_->port(), 20);
  SendAll(s, "PUT /api/pages/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                 tokens_["editor"] +
                 "\r\nContent-Type: application/json\r\nContent-Length: 32\r\n"
                 "Content-Length: 5\r\n\r\n{\"title\":\"S\",\"markdown\":\"x\"}");
  const std::string reply = ReadReply(s, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("one Content-Length"), std::string::npos) << reply;
  EXPECT_EQ(Client().Get("/api/pages/smuggled").status, 404);
}

// A proxy that reads the second length sends the rest as this request's
// body; arkwiki, which read the first (0), must not then run those bytes as
// a second request: the refusal closes the connection. The same for every
// framing two servers may read two ways: a Transfer-Encoding other than
// "chunked" (Poco sees no body; a proxy may see a chunked one), a header
// name with a space, a Content-Length that is not plain digits.
TEST_F(HttpHardeningTest, ARefusedFramingClosesTheConnectionSoNothingIsSmuggled) {
  const std::string smuggled = "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  for (const std::string& framing :
       {"Content-Length: 0\r\nContent-Length: " + std::to_string(smuggled.size()),
        std::string("Content-Length: 0\r\nTransfer-Encoding: gzip, chunked"),
        std::string("Transfer-Encoding: gzip, chunked"),
        std::string("Transfer-Encoding: chunked, chunked"),
        std::string("Transfer-Encoding: identity"), std::string("Transfer-Encoding: xchunked"),
        std::string("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked"),
        std::string("Transfer-Encoding : chunked"), std::string("Content-Length: -1"),
        std::string("Content-Length: +0"), std::string("Content-Length: 0,0")}) {
    Poco::Net::StreamSocket s = Connect(server_->port(), 20);
    SendAll(s, "POST /api/pages/x/rename HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n\r\n" +
                   smuggled);
    std::string all;
    char buf[4096];
    for (int n; (n = s.receiveBytes(buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
    EXPECT_EQ(all.rfind("HTTP/1.1 400", 0), 0u) << framing << "\n" << all;
    EXPECT_EQ(all.find("HTTP/1.1 200"), std::string::npos) << framing << "\n" << all;
    EXPECT_NE(all.find("Connection: Close"), std::string::npos) << framing << "\n" << all;
  }
}

TEST_F(HttpHardeningTest, MethodNotAllowedListsAllowedMethods) {
  HttpResponse r = Client().Request("DELETE", "/login");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD, POST");
  r = Client("admin").Request("DELETE", "/api/health");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD");
}

TEST_F(HttpHardeningTest, HttpsBaseUrlGivesSecureCookiesAndHsts) {
  HttpClient plain = Client();
  HttpResponse before = plain.Get("/login");
  EXPECT_EQ(before.Header("strict-transport-security"), "");
  ASSERT_FALSE(before.set_cookies.empty());
  EXPECT_FALSE(HasSecureAttribute(before.set_cookies[0])) << before.set_cookies[0];

  HttpResponse put = Client("admin").Request(
      "PUT", "/api/settings", R"({"base_url":"https://wiki.example.org"})", "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
  ASSERT_EQ(Client().Get("/").status, 200);  // a page render reads the settings

  HttpClient c = Client();
  HttpResponse login = c.Get("/login");
  EXPECT_EQ(login.Header("strict-transport-security"), "max-age=31536000");
  ASSERT_FALSE(login.set_cookies.empty());
  EXPECT_TRUE(HasSecureAttribute(login.set_cookies[0])) << login.set_cookies[0];
  HttpResponse r = c.PostForm(
      "/login", {{"name", "reader"}, {"password", kPassword}, {"csrf", ExtractCsrf(login.body)}});
  ASSERT_EQ(r.status, 303);
  bool session = false;
  for (const auto& cookie : r.set_cookies) {
    if (cookie.rfind("arkwiki_session=", 0) != 0) continue;
    session = true;
    EXPECT_TRUE(HasSecureAttribute(cookie)) << cookie;
  }
  EXPECT_TRUE(session);
}

TEST_F(HttpHardeningTest, FlashTextFromTheUrlIsNotShown) {
  HttpResponse r = Client().Get("/login?flash=Your+account+is+suspended&flash_kind=x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("suspended"), std::string::npos);
  EXPECT_EQ(r.body.find("flash-x"), std::string::npos);
}

TEST_F(HttpHardeningTest, FlashShowsOnlyToTheSessionThatCausedIt) {
  HttpClient c = Client();
  ASSERT_TRUE(LoginWithForm(c, "reader", kPassword));
  const std::string csrf = ExtractCsrf(c.Get("/preferences").body);
  HttpResponse saved = c.PostForm("/preferences", {{"theme", "dark"},
                                                   {"timezone", "UTC"},
                                                   {"editor_font", "mono"},
                                                   {"editor_line_wrap", "on"},
                                                   {"csrf", csrf}});
  ASSERT_EQ(saved.status, 303) << saved.body;
  const std::string location = saved.Header("location");
  ASSERT_NE(location.find("flash="), std::string::npos) << location;
  EXPECT_NE(c.Get(location).body.find("Preferences saved"), std::string::npos);
  HttpClient other = Client();
  ASSERT_TRUE(LoginWithForm(other, "editor", kPassword));
  EXPECT_EQ(other.Get(location).body.find("Preferences saved"), std::string::npos);
}

class SlowClientTest : public WikiServerTest {
 protected:
  static constexpr int kWorkers = 4;

  void SetUp() override {
    WikiServerTest::SetUp();
    if (HasFatalFailure()) return;
    RestartWithConfig("threads = " + std::to_string(kWorkers) + "\nhead_timeout_ms = 1000\n");
  }
};

TEST_F(SlowClientTest, PartialHeadsOnEveryWorkerDoNotStopHealth) {
  // Twice as many connections as workers, each holding a half-sent head.
  std::vector<Poco::Net::StreamSocket> slow;
  for (int i = 0; i < 2 * kWorkers; ++i) {
    slow.push_back(Connect(server_->port()));
    SendAll(slow.back(), "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  }
  // A server without a deadline for the whole head holds them for its
  // per-read timeout, longer than this read waits.
  Poco::Net::StreamSocket fresh = Connect(server_->port(), 30);
  SendAll(fresh, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  const std::string reply = ReadReply(fresh, false);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  for (auto& s : slow) EXPECT_TRUE(ServerCloses(s));
}

TEST_F(SlowClientTest, KeptAliveConnectionMustSendItsNextHeadInTime) {
  Poco::Net::StreamSocket s = Connect(server_->port());
  SendAll(s, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string first = ReadReply(s, false);
  ASSERT_EQ(first.rfind("HTTP/1.1 200", 0), 0u) << first;
  SendAll(s, "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  // The first reply's body may still be unread; ServerCloses reads past it.
  EXPECT_TRUE(ServerCloses(s));
}

}  // namespace
}  // namespace arkwiki::testing
