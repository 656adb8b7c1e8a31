#include "arkwiki/web/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <string_view>
#include <thread>
#include <utility>

#include "app.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/data_dir.h"
#include "backup_service.h"
#include "connection_gate.h"
#include "head_deadline.h"
#include "startup.h"
#include "worker_lanes.h"

namespace arkwiki {
namespace {

// The connection under a request: HeadDeadline keys its clock by it.
const Poco::Net::StreamSocket* RequestSocket(Poco::Net::HTTPServerRequest& rq) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&rq);
  return impl == nullptr ? nullptr : &impl->socket();
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(web::WikiApp* app, web::HeadDeadline* heads) : app_(app), heads_(heads) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    const Poco::Net::StreamSocket* socket = RequestSocket(rq);
    if (socket != nullptr) heads_->HeadRead(*socket);
    web::Exchange ex(rq, rs);
    ex.queued = web::WorkerLanes::TakeQueuedTime();
    app_->Handle(ex);
    if (socket != nullptr) heads_->HeadDue(*socket);
  }

 private:
  web::WikiApp* app_;
  web::HeadDeadline* heads_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(web::WikiApp* app, web::HeadDeadline* heads) : app_(app), heads_(heads) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(app_, heads_);
  }

 private:
  web::WikiApp* app_;
  web::HeadDeadline* heads_;
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
  Poco::Net::SocketAddress address;
  try {
    address = Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port));
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("cannot listen on " + listen + ": " + e.displayText());
  }
  try {
    Poco::Net::ServerSocket socket;
    // SO_REUSEADDR only: Poco's two-argument bind sets SO_REUSEPORT too,
    // which lets a second server bind the same port, and the kernel would
    // then share the clients between two wikis.
    socket.bind(address, /*reuseAddress=*/true, /*reusePort=*/false);
    socket.listen(128);
    return socket;
  } catch (const Poco::Exception& e) {
    // The port taken or not ours to use: the machine, not the command line.
    return Status::IoError("cannot listen on " + listen + ": " + e.displayText());
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
  if (const std::string warning = DataDirPrivacyWarning(layout); !warning.empty()) {
    LogWarning(warning);
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, DataDirLock::Acquire(layout, "arkwiki serve"));
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, web::OpenForServing(env, layout));
  web::WikiApp app(env, std::move(storage));
  ARKWIKI_RETURN_IF_ERROR(app.Init());
  app.SetTrustedProxy(options.config.trusted_proxy);
  // The repository of restore points: a placement it refuses stops the start.
  app.backup().points().SetDir(options.config.backup_dir);
  const std::string backup_dir =
      options.config.backup_dir.empty() ? DefaultBackupDir(layout.root) : options.config.backup_dir;
  ARKWIKI_ASSIGN_OR_RETURN(
      RepositoryOptions repository_options,
      RepositoryOptionsFromConfig(env, layout, backup_dir, options.config.backup_encrypt,
                                  options.config.backup_passphrase_file));
  app.backup().points().SetOptions(repository_options);
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
  // piece. Connections with a complete head wait for a worker in their
  // lane's bounded queue. A reverse proxy in front does the rest (docs/reverse-proxy.md).
  constexpr int kKeepAliveSeconds = 5;
  constexpr int kMaxKeepAliveRequests = 100;
  constexpr int kReadTimeoutSeconds = 60;
  constexpr int kMaxQueuedViews = 256;
  constexpr int kMinLongWorkers = 2;
  // Beyond this many waiting long requests, another is answered 503.
  constexpr int kMaxQueuedLong = 32;
  const std::chrono::milliseconds head_limit(options.config.head_timeout_ms);
  web::HeadDeadline heads(head_limit);
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(kKeepAliveSeconds, 0));
  params->setMaxKeepAliveRequests(kMaxKeepAliveRequests);
  params->setTimeout(Poco::Timespan(kReadTimeoutSeconds, 0));
  // Page views and long requests (searches, backup downloads, archive
  // uploads) have worker threads and queues of their own (WorkerLanes): a
  // page view never waits for a worker behind a long request.
  const web::LaneSettings lane_settings{params, new Factory(&app, &heads), &heads};
  const web::LaneLimits view_lane{options.config.threads, kMaxQueuedViews};
  const web::LaneLimits long_lane{std::max(kMinLongWorkers, options.config.threads / 4),
                                  kMaxQueuedLong};
  web::WorkerLanes lanes(lane_settings, view_lane, long_lane);
  // The gate, not Poco's TCPServer, accepts and feeds the lanes.
  web::ConnectionGate gate(socket, head_limit,
                           [&lanes](const Poco::Net::StreamSocket& s, std::string_view head) {
                             lanes.Dispatch(s, head);
                           });
  // Automatic backups; a run missed while the server was down starts now.
  app.backup().StartScheduler();
  ARKWIKI_RETURN_IF_ERROR(web::AnnounceListening(env, app, options, port));

  WaitForTermination();
  app.StopSearches();  // a search must not hold the shutdown up to its budget
  gate.Stop();
  lanes.Stop();
  for (int i = 0; i < 300 && (app.active_requests() > 0 || lanes.current_connections() > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A browser restore commits on its own thread, and the scheduler runs
  // backups on its own: both must end before the app.
  app.backup().Shutdown();
  LogInfo("stopped");
  return Status::Ok();
}

}  // namespace arkwiki
