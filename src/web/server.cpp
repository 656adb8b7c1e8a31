#include "arkwiki/web/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <csignal>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "app.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/data_dir.h"
#include "backup_service.h"
#include "connection_gate.h"
#include "head_deadline.h"
#include "startup.h"

namespace arkwiki {
namespace {

// How long the connection a worker took up waited in the queue for it; read
// (and reset) by the connection's first request.
thread_local std::chrono::steady_clock::duration t_queued{};

// When each connection was handed to the workers' queue, by descriptor.
class HandOverTimes {
 public:
  void Mark(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    handed_over_[socket.impl()->sockfd()] = std::chrono::steady_clock::now();
  }
  // The time since Mark, or 0 if it was not marked. A connection the queue
  // refused leaves its mark behind, until its descriptor's next connection.
  std::chrono::steady_clock::duration Take(const Poco::Net::StreamSocket& socket) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto it = handed_over_.find(socket.impl()->sockfd());
    if (it == handed_over_.end()) return {};
    const auto waited = std::chrono::steady_clock::now() - it->second;
    handed_over_.erase(it);
    return waited;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<int, std::chrono::steady_clock::time_point> handed_over_;
};

// The connection under a request: HeadDeadline keys its clock by it.
const Poco::Net::StreamSocket* RequestSocket(Poco::Net::HTTPServerRequest& rq) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&rq);
  return impl == nullptr ? nullptr : &impl->socket();
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(web::WikiApp* app, web::HeadDeadline* heads,
          const Poco::Net::TCPServerDispatcher* workers)
      : app_(app), heads_(heads), workers_(workers) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    const Poco::Net::StreamSocket* socket = RequestSocket(rq);
    if (socket != nullptr) heads_->HeadRead(*socket);
    // While connections wait for a worker, a kept-alive one gives its
    // worker up after this response instead of holding it for its next
    // request: every client gets its turn.
    if (workers_ != nullptr && workers_->queuedConnections() > 0) rs.setKeepAlive(false);
    web::Exchange ex(rq, rs);
    ex.queued = std::exchange(t_queued, {});
    app_->Handle(ex);
    if (socket != nullptr) heads_->HeadDue(*socket);
  }

 private:
  web::WikiApp* app_;
  web::HeadDeadline* heads_;
  const Poco::Net::TCPServerDispatcher* workers_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(web::WikiApp* app, web::HeadDeadline* heads) : app_(app), heads_(heads) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(app_, heads_, workers_);
  }
  // Set once, before the first connection is accepted.
  void set_workers(const Poco::Net::TCPServerDispatcher* workers) { workers_ = workers; }
  // Tells the connections to end after the request they are handling
  // (what Poco's HTTPServer::stopAll does).
  void ServerStopped(const void* server) { serverStopped(server, false); }

 private:
  web::WikiApp* app_;
  web::HeadDeadline* heads_;
  const Poco::Net::TCPServerDispatcher* workers_ = nullptr;
};

// Poco's HTTP connection, with its request heads on a deadline.
class Connection final : public Poco::Net::HTTPServerConnection {
 public:
  Connection(const Poco::Net::StreamSocket& socket, const Poco::Net::HTTPServerParams::Ptr& params,
             const Poco::Net::HTTPRequestHandlerFactory::Ptr& factory, web::HeadDeadline* heads,
             HandOverTimes* queue)
      : HTTPServerConnection(socket, params, factory), heads_(heads), queue_(queue) {}
  void run() override {
    t_queued = queue_->Take(socket());
    heads_->Watch(socket());
    HTTPServerConnection::run();
    heads_->Forget(socket());
  }

 private:
  web::HeadDeadline* heads_;
  HandOverTimes* queue_;
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory, web::HeadDeadline* heads,
                    HandOverTimes* queue)
      : params_(std::move(params)), factory_(std::move(factory)), heads_(heads), queue_(queue) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new Connection(socket, params_, factory_, heads_, queue_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  web::HeadDeadline* heads_;
  HandOverTimes* queue_;
};

// Ends the dispatcher's idle workers on every way out of Serve(), before
// the pool that runs them is destroyed.
struct StopWorkers {
  Poco::Net::TCPServerDispatcher* workers;
  ~StopWorkers() { workers->stop(); }
};

void WaitForTermination() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  int sig = 0;
  sigwait(&set, &sig);
  LogInfo(std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
          "; finishing requests in flight");
}

Result<Poco::Net::ServerSocket> Bind(const std::string& listen) {
  std::string host;
  int port = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseListenAddress(listen, &host, &port));
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), true);
    socket.listen(128);
    return socket;
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("cannot listen on " + listen + ": " + e.displayText());
  }
}

}  // namespace

Status Serve(Env* env, const ServeOptions& options) {
  // Block the signals before any thread starts, so only sigwait sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  DataDirLayout layout(options.config.data_dir);
  ARKWIKI_RETURN_IF_ERROR(PrepareDataDir(env, layout));
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, DataDirLock::Acquire(layout, "arkwiki serve"));
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, web::OpenForServing(env, layout));
  web::WikiApp app(env, std::move(storage));
  ARKWIKI_RETURN_IF_ERROR(app.Init());
  // The repository of restore points: a placement it refuses stops the start.
  app.backup().points().SetDir(options.config.backup_dir);
  ARKWIKI_RETURN_IF_ERROR(app.backup().points().Open());
  Status pruned = app.backup().PruneSafetyBackups();
  if (!pruned.ok()) LogWarning("could not prune old safety backups: " + pruned.ToString());
  ARKWIKI_ASSIGN_OR_RETURN(Poco::Net::ServerSocket socket, Bind(options.config.listen));
  const int port = socket.address().port();

  // Slow clients: a connection gets a worker only once its first request
  // head has fully arrived (ConnectionGate), within head_timeout_ms; a
  // kept-alive connection's next head must arrive within head_timeout_ms
  // too (HeadDeadline); it idles at most kKeepAliveSeconds, serves at most
  // kMaxKeepAliveRequests, and gives its worker up while other connections
  // wait for one; a body read waits at most kReadTimeoutSeconds for each
  // piece. Connections with a complete head wait for a worker in a bounded
  // queue. A reverse proxy in front does the rest (docs/reverse-proxy.md).
  constexpr int kKeepAliveSeconds = 5;
  constexpr int kMaxKeepAliveRequests = 100;
  constexpr int kReadTimeoutSeconds = 60;
  const std::chrono::milliseconds head_limit(options.config.head_timeout_ms);
  web::HeadDeadline heads(head_limit);
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.config.threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(kKeepAliveSeconds, 0));
  params->setMaxKeepAliveRequests(kMaxKeepAliveRequests);
  params->setTimeout(Poco::Timespan(kReadTimeoutSeconds, 0));
  auto* factory = new Factory(&app, &heads);
  Poco::Net::HTTPRequestHandlerFactory::Ptr handlers = factory;
  // Poco's default pool, as Poco's own TCPServer uses: it lives until the
  // process exits, so a worker still stuck in a slow client's body read after
  // the shutdown drain keeps what it references (a pool local to Serve() would
  // give such a thread up after 10 s and orphan the dispatcher it holds).
  Poco::ThreadPool& pool = Poco::ThreadPool::defaultPool();
  if (pool.capacity() < options.config.threads) {
    pool.addCapacity(options.config.threads - pool.capacity());
  }
  // Poco's dispatcher runs the workers; the gate, not Poco's TCPServer,
  // accepts and feeds it.
  HandOverTimes queue_times;  // for each request's report of its wait (WikiApp::Handle)
  Poco::AutoPtr<Poco::Net::TCPServerDispatcher> workers(new Poco::Net::TCPServerDispatcher(
      new ConnectionFactory(params, handlers, &heads, &queue_times), pool, params));
  const StopWorkers stop_workers{workers.get()};
  factory->set_workers(workers.get());
  web::ConnectionGate gate(socket, head_limit,
                           [&workers, &queue_times](const Poco::Net::StreamSocket& s) {
                             queue_times.Mark(s);
                             workers->enqueue(s);
                           });
  // Automatic backups; a run missed while the server was down starts now.
  app.backup().StartScheduler();
  ARKWIKI_RETURN_IF_ERROR(web::AnnounceListening(env, app, options, port));

  WaitForTermination();
  app.StopSearches();  // a search must not hold the shutdown up to its budget
  gate.Stop();
  workers->stop();
  factory->ServerStopped(workers.get());
  for (int i = 0; i < 300 && (app.active_requests() > 0 || workers->currentConnections() > 0);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A browser restore commits on its own thread, and the scheduler runs
  // backups on its own: both must end before the app.
  app.backup().Shutdown();
  LogInfo("stopped");
  return Status::Ok();
}

}  // namespace arkwiki
