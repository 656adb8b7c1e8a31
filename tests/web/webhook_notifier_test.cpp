#include "webhook_notifier.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <vector>

namespace arkwiki::web {
namespace {

// What the loopback receiver got; the test waits on `cv` for it.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> bodies;
  std::vector<std::string> content_types;
  int answer = 204;
};

class Recorder : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Recorder(Inbox* inbox) : inbox_(inbox) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    std::string body;
    Poco::StreamCopier::copyToString(rq.stream(), body);
    int answer = 0;
    {
      std::lock_guard<std::mutex> lock(inbox_->mu);
      inbox_->bodies.push_back(rq.getMethod() + " " + rq.getURI() + " " + body);
      inbox_->content_types.push_back(rq.getContentType());
      answer = inbox_->answer;
    }
    rs.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer));
    rs.setContentLength(0);
    rs.send();
    inbox_->cv.notify_all();
  }

 private:
  Inbox* inbox_;
};

class RecorderFactory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit RecorderFactory(Inbox* inbox) : inbox_(inbox) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Recorder(inbox_);
  }

 private:
  Inbox* inbox_;
};

class Receiver {
 public:
  Receiver()
      : socket_(Poco::Net::SocketAddress("127.0.0.1", 0)),
        server_(new RecorderFactory(&inbox_), socket_, new Poco::Net::HTTPServerParams) {
    server_.start();
  }
  ~Receiver() { server_.stopAll(true); }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(socket_.address().port()) + path;
  }
  Inbox& inbox() { return inbox_; }
  void WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(inbox_.mu);
    inbox_.cv.wait(lock, [&] { return inbox_.bodies.size() >= n; });
  }

 private:
  Inbox inbox_;
  Poco::Net::ServerSocket socket_;
  Poco::Net::HTTPServer server_;
};

// A poster that fails as a dropped connection does.
class DroppingPoster : public HttpPoster {
 public:
  Status PostJson(const std::string& url, const std::string&, std::chrono::milliseconds) override {
    return Status::IoError("webhook " + RedactedUrl(url) + ": Connection reset by peer");
  }
};

// A poster that holds every POST until the test opens the gate.
class GatedPoster : public HttpPoster {
 public:
  Status PostJson(const std::string&, const std::string&, std::chrono::milliseconds) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [this] { return open_; });
    return Status::Ok();
  }
  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool open_ = false;
};

WebhookEvent Event(const std::string& name = "backup_failed") {
  WebhookEvent e;
  e.event = name;
  e.time = 1764680400;
  e.message = "no space left on device \"disk\"";
  e.instance = "abc123";
  e.site = "Team wiki";
  e.details = {{"snapshot", "2026-12-02T130000Z-1"}};
  return e;
}

TEST(WebhookNotifierTest, BodyCarriesTheEvent) {
  Poco::JSON::Parser parser;
  auto body = parser.parse(WebhookBody(Event())).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(body->getValue<std::string>("event"), "backup_failed");
  EXPECT_EQ(body->getValue<std::string>("time"), "2025-12-02T13:00:00Z");
  EXPECT_EQ(body->getValue<int64_t>("time_unix"), 1764680400);
  EXPECT_EQ(body->getValue<std::string>("message"), "no space left on device \"disk\"");
  EXPECT_EQ(body->getValue<std::string>("instance"), "abc123");
  EXPECT_EQ(body->getObject("details")->getValue<std::string>("snapshot"), "2026-12-02T130000Z-1");
}

TEST(WebhookNotifierTest, RedactsEverythingButSchemeAndHost) {
  EXPECT_EQ(RedactedUrl("https://hooks.example.org/services/T0/B0/secret?x=1"),
            "https://hooks.example.org/...");
  EXPECT_EQ(RedactedUrl("http://user:pw@host:8080/p"), "http://host:8080/...");
  EXPECT_EQ(RedactedUrl("http://host"), "http://host");
}

TEST(WebhookNotifierTest, RefusesNonHttpUrlsAndUnknownEvents) {
  WebhookNotifier notifier(std::make_unique<DroppingPoster>());
  EXPECT_EQ(notifier.Notify("ftp://x/", Event()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(notifier.Notify("file:///etc/passwd", Event()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(notifier.Notify("http://x/", Event("reboot")).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(notifier.Notify("", Event()).ok());  // no URL set: nothing to send
  notifier.WaitIdle();
  EXPECT_EQ(notifier.stats().sent + notifier.stats().failed, 0u);
}

TEST(WebhookNotifierTest, PostsJsonToALoopbackReceiver) {
  Receiver receiver;
  WebhookNotifier notifier(NewPocoHttpPoster());
  ASSERT_TRUE(notifier.Notify(receiver.Url("/hook?token=s3cret"), Event("check_failed")).ok());
  receiver.WaitFor(1);
  notifier.WaitIdle();
  std::lock_guard<std::mutex> lock(receiver.inbox().mu);
  const std::string& got = receiver.inbox().bodies.at(0);
  EXPECT_EQ(got.rfind("POST /hook?token=s3cret {", 0), 0u) << got;
  EXPECT_NE(got.find("\"event\":\"check_failed\""), std::string::npos) << got;
  EXPECT_EQ(receiver.inbox().content_types.at(0), "application/json");
  EXPECT_EQ(notifier.stats().sent, 1u);
}

TEST(WebhookNotifierTest, ErrorAnswerIsCountedWithoutTheSecret) {
  Receiver receiver;
  {
    std::lock_guard<std::mutex> lock(receiver.inbox().mu);
    receiver.inbox().answer = 500;
  }
  WebhookNotifier notifier(NewPocoHttpPoster());
  ASSERT_TRUE(notifier.Notify(receiver.Url("/hook/s3cret"), Event()).ok());
  receiver.WaitFor(1);
  notifier.WaitIdle();
  const auto stats = notifier.stats();
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_NE(stats.last_error.find("HTTP 500"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.last_error.find("s3cret"), std::string::npos) << stats.last_error;
}

TEST(WebhookNotifierTest, RefusedConnectionIsCountedAndLaterEventsStillGo) {
  Poco::Net::ServerSocket closed(Poco::Net::SocketAddress("127.0.0.1", 0));
  const std::string dead = "http://127.0.0.1:" + std::to_string(closed.address().port()) + "/hook";
  closed.close();  // nothing listens there any more: the connection is refused
  Receiver receiver;
  WebhookNotifier notifier(NewPocoHttpPoster());
  ASSERT_TRUE(notifier.Notify(dead, Event()).ok());
  ASSERT_TRUE(notifier.Notify(receiver.Url("/hook"), Event("backup_stale")).ok());
  receiver.WaitFor(1);
  notifier.WaitIdle();
  EXPECT_EQ(notifier.stats().failed, 1u);
  EXPECT_EQ(notifier.stats().sent, 1u);
}

TEST(WebhookNotifierTest, DroppedConnectionIsCounted) {
  WebhookNotifier notifier(std::make_unique<DroppingPoster>());
  ASSERT_TRUE(notifier.Notify("https://hooks.example.org/secret", Event()).ok());
  notifier.WaitIdle();
  EXPECT_EQ(notifier.stats().failed, 1u);
  EXPECT_EQ(notifier.stats().last_error,
            "webhook https://hooks.example.org/...: Connection reset by peer");
}

// A receiver that never answers does not hold up the caller: Notify returns
// at once, and past the queue's bound events are dropped, not waited for.
TEST(WebhookNotifierTest, SlowReceiverNeverBlocksTheCaller) {
  auto gated = std::make_unique<GatedPoster>();
  GatedPoster* gate = gated.get();
  WebhookNotifier::Options options;
  options.max_queue = 2;
  WebhookNotifier notifier(std::move(gated), options);
  ASSERT_TRUE(notifier.Notify("http://x/", Event()).ok());
  gate->WaitEntered(1);  // the worker holds the first event
  EXPECT_TRUE(notifier.Notify("http://x/", Event()).ok());
  EXPECT_TRUE(notifier.Notify("http://x/", Event()).ok());
  EXPECT_EQ(notifier.Notify("http://x/", Event()).code(), StatusCode::kBusy);
  EXPECT_EQ(notifier.stats().dropped, 1u);
  gate->Open();
  notifier.WaitIdle();
  EXPECT_EQ(notifier.stats().sent, 3u);
}

}  // namespace
}  // namespace arkwiki::web
