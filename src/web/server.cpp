#include "arkwiki/web/server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>

#include <csignal>
#include <thread>

#include "app.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/data_dir.h"
#include "backup_service.h"
#include "startup.h"

namespace arkwiki {
namespace {

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(web::WikiApp* app) : app_(app) {}
  void handleRequest(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs) override {
    web::Exchange ex(rq, rs);
    app_->Handle(ex);
  }

 private:
  web::WikiApp* app_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(web::WikiApp* app) : app_(app) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler(app_);
  }

 private:
  web::WikiApp* app_;
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
  Status pruned = app.backup().PruneSafetyBackups();
  if (!pruned.ok()) LogWarning("could not prune old safety backups: " + pruned.ToString());
  ARKWIKI_ASSIGN_OR_RETURN(Poco::Net::ServerSocket socket, Bind(options.config.listen));
  const int port = socket.address().port();

  auto* params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.config.threads);
  params->setMaxQueued(256);
  params->setKeepAlive(true);
  params->setTimeout(Poco::Timespan(120, 0));
  Poco::Net::HTTPServer server(new Factory(&app), socket, params);
  server.start();
  ARKWIKI_RETURN_IF_ERROR(web::AnnounceListening(env, app, options, port));

  WaitForTermination();
  app.StopSearches();  // a search must not hold the shutdown up to its budget
  server.stopAll(false);
  for (int i = 0; i < 300 && (app.active_requests() > 0 || server.currentConnections() > 0); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // A browser restore commits on its own thread; it must end before the app.
  app.backup().Shutdown();
  LogInfo("stopped");
  return Status::Ok();
}

}  // namespace arkwiki
