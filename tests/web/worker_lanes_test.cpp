// Page views have worker threads of their own: they are answered while
// every long-request worker is held and the long queue is full, and a full
// long queue answers 503 with Retry-After. Threads meet at explicit points.
#include "worker_lanes.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connection_gate.h"

namespace arkwiki::web {
namespace {

using std::chrono::seconds;

// Where held requests meet the test: each held request enters and waits
// until Release(); the test waits until a number have entered.
class Hold {
 public:
  void EnterAndWait() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++entered_;
    cv_.notify_all();
    cv_.wait_for(lock, seconds(30), [this] { return released_; });
  }
  bool WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, seconds(10), [this, n] { return entered_ >= n; });
  }
  int entered() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return entered_;
  }
  void Release() {
    const std::lock_guard<std::mutex> lock(mutex_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
};

int ThisThreadsNice() {
  return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)));
}

// Answers "<nice of the serving thread>"; a URI with "hold" first waits
// at the Hold.
class TestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit TestHandler(Hold* hold) : hold_(hold) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    if (rq.getURI().find("hold") != std::string::npos) hold_->EnterAndWait();
    const std::string body = std::to_string(ThisThreadsNice());
    rs.setContentLength(static_cast<std::streamsize>(body.size()));
    rs.send() << body;
  }

 private:
  Hold* hold_;
};

class TestFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit TestFactory(Hold* hold) : hold_(hold) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new TestHandler(hold_);
  }

 private:
  Hold* hold_;
};

struct Reply {
  int status = 0;
  bool keep_alive = false;
  std::string retry_after;
  std::string body;
};

Reply Get(Poco::Net::HTTPClientSession& session, const std::string& uri) {
  Poco::Net::HTTPRequest rq("GET", uri, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(rq);
  Poco::Net::HTTPResponse rs;
  Reply reply;
  Poco::StreamCopier::copyToString(session.receiveResponse(rs), reply.body);
  reply.status = rs.getStatus();
  reply.keep_alive = rs.getKeepAlive();
  reply.retry_after = rs.get("Retry-After", "");
  return reply;
}

class WorkerLanesTest : public ::testing::Test {
 protected:
  static constexpr int kLongWorkers = 2;
  static constexpr int kLongQueue = 3;

  void SetUp() override {
    listener_.bind(Poco::Net::SocketAddress("127.0.0.1", 0), true);
    listener_.listen(64);
    Poco::Net::HTTPServerParams::Ptr http = new Poco::Net::HTTPServerParams;
    http->setKeepAlive(true);
    http->setMaxKeepAliveRequests(100);
    http->setKeepAliveTimeout(Poco::Timespan(5, 0));
    http->setTimeout(Poco::Timespan(10, 0));
    lanes_ = std::make_unique<WorkerLanes>(LaneSettings{http, new TestFactory(&hold_), &heads_},
                                           LaneLimits{2, 16}, LaneLimits{kLongWorkers, kLongQueue});
    gate_ = std::make_unique<ConnectionGate>(
        listener_, seconds(10), [this](const Poco::Net::StreamSocket& s, std::string_view head) {
          lanes_->Dispatch(s, head);
        });
  }
  void TearDown() override {
    hold_.Release();
    for (auto& t : clients_) t.join();
    gate_.reset();
    // As Serve() does: the connections still running use the lanes' and the
    // fixture's members until they end.
    lanes_->Stop();
    EXPECT_TRUE(WaitUntil([this] { return lanes_->current_connections() == 0; }));
    lanes_.reset();
  }

  // Waits, up to a deadline, until `done()`.
  template <typename Done>
  static bool WaitUntil(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Sends GET `uri` on a session of its own, from a thread of its own;
  // the reply lands in replies_[i] (status -1 if the request failed).
  void StartClient(size_t i, const std::string& uri) {
    sessions_.push_back(Session());
    clients_.emplace_back([&session = *sessions_.back(), &reply = replies_[i], uri] {
      try {
        reply = Get(session, uri);
      } catch (const Poco::Exception&) {
        reply.status = -1;
      }
      session.reset();  // hangs up: a kept-alive connection would hold its worker
    });
  }
  // Joins the clients' threads.
  void JoinClients() {
    for (auto& t : clients_) t.join();
    clients_.clear();
  }

  std::unique_ptr<Poco::Net::HTTPClientSession> Session() {
    auto session =
        std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", listener_.address().port());
    session->setTimeout(Poco::Timespan(10, 0));
    session->setKeepAlive(true);
    return session;
  }

  // Waits, up to a deadline, until `n` long connections wait for a worker.
  bool WaitLongQueued(int n) {
    return WaitUntil([this, n] { return lanes_->queued(Lane::kLong) >= n; });
  }

  Poco::Net::ServerSocket listener_;
  HeadDeadline heads_{seconds(60)};
  Hold hold_;
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> sessions_;
  std::vector<Reply> replies_ = std::vector<Reply>(kLongWorkers + kLongQueue);
  std::vector<std::thread> clients_;
  std::unique_ptr<WorkerLanes> lanes_;
  std::unique_ptr<ConnectionGate> gate_;
};

TEST_F(WorkerLanesTest, PageViewIsAnsweredWhileEveryLongWorkerIsHeldAndItsQueueIsFull) {
  // More long requests than there are view workers: with one shared set of
  // workers the page view would wait behind them.
  for (size_t i = 0; i < replies_.size(); ++i) {
    StartClient(i, "/api/search?q=hold");
    if (i + 1 == static_cast<size_t>(kLongWorkers)) ASSERT_TRUE(hold_.WaitEntered(kLongWorkers));
  }
  ASSERT_TRUE(WaitLongQueued(kLongQueue));

  auto viewer = Session();
  const Reply view = Get(*viewer, "/wiki/Home");
  EXPECT_EQ(view.status, 200);
  EXPECT_EQ(hold_.entered(), kLongWorkers);  // the long workers are still held

  hold_.Release();
  JoinClients();
  for (const Reply& r : replies_) EXPECT_EQ(r.status, 200);
  EXPECT_EQ(hold_.entered(), kLongWorkers + kLongQueue);
}

TEST_F(WorkerLanesTest, FullLongQueueAnswers503WithRetryAfter) {
  for (size_t i = 0; i < replies_.size(); ++i) {
    StartClient(i, "/search?q=hold");
    if (i + 1 == static_cast<size_t>(kLongWorkers)) ASSERT_TRUE(hold_.WaitEntered(kLongWorkers));
  }
  ASSERT_TRUE(WaitLongQueued(kLongQueue));

  auto late = Session();
  const Reply refused = Get(*late, "/api/search?q=hold");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.retry_after, std::to_string(WorkerLanes::kRetryAfterSeconds));
  EXPECT_FALSE(refused.keep_alive);
  EXPECT_NE(refused.body.find(R"("code":"busy")"), std::string::npos) << refused.body;
  EXPECT_EQ(lanes_->refused_busy(), 1);

  hold_.Release();
  JoinClients();
  for (const Reply& r : replies_) EXPECT_EQ(r.status, 200);
  // Room again: the same request is served.
  auto again = Session();
  EXPECT_EQ(Get(*again, "/api/search?q=x").status, 200);
}

TEST_F(WorkerLanesTest, RequestOfTheOtherLaneEndsAKeptAliveConnection) {
  auto session = Session();
  const Reply first = Get(*session, "/wiki/Home");
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.keep_alive);
  const Reply second = Get(*session, "/wiki/Other");
  EXPECT_TRUE(second.keep_alive);
  const Reply search = Get(*session, "/api/search?q=x");  // served on the view lane, then closed
  EXPECT_EQ(search.status, 200);
  EXPECT_FALSE(search.keep_alive);

  auto searcher = Session();
  EXPECT_TRUE(Get(*searcher, "/api/search?q=x").keep_alive);
  const Reply view = Get(*searcher, "/wiki/Home");
  EXPECT_EQ(view.status, 200);
  EXPECT_FALSE(view.keep_alive);
}

TEST_F(WorkerLanesTest, LongRequestsRunAtALowerCpuPriority) {
  auto viewer = Session();
  auto searcher = Session();
  const int view_nice = std::stoi(Get(*viewer, "/wiki/Home").body);
  const int long_nice = std::stoi(Get(*searcher, "/api/search?q=x").body);
  EXPECT_EQ(long_nice, std::min(19, view_nice + WorkerLanes::kLongLaneNiceIncrement));
}

}  // namespace
}  // namespace arkwiki::web
