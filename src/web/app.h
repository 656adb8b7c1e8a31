// WikiApp: the server's state and its request pipeline.
//
// Every request passes through Handle(): maintenance gate, authentication
// (session cookie or Bearer token), routing with an access rule, CSRF check
// for state-changing browser requests, the handler, and the access log.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "active_users.h"
#include "arkwiki/storage/storage.h"
#include "exchange.h"
#include "first_run_setup.h"
#include "flash_store.h"
#include "login_throttle.h"
#include "render_cache.h"
#include "renderer.h"
#include "router.h"
#include "template.h"

namespace arkwiki::web {

class BackupService;

struct LoadReport {
  int64_t waiting = 0;     // requests blocked on the writer, the view or the search pool
  int64_t waiting_ms = 0;  // how long some request has queued without a pause
  int64_t searches_running = 0;
};

class WikiApp {
 public:
  WikiApp(Env* env, std::unique_ptr<Storage> storage);
  ~WikiApp();
  WikiApp(const WikiApp&) = delete;
  WikiApp& operator=(const WikiApp&) = delete;
  // Loads the templates and registers every route (routes.cpp).
  Status Init();

  void Handle(Exchange& ex);
  // The reverse proxy whose X-Forwarded-For names the client (canonical
  // form, ServerConfig::trusted_proxy); empty: none. Set before serving.
  void SetTrustedProxy(std::string address) { trusted_proxy_ = std::move(address); }

  Storage& storage() { return *storage_; }
  const DataDirLayout layout() const { return DataDirLayout(storage_layout_root_); }
  Env* env() const { return env_; }
  LoginThrottle& throttle() { return throttle_; }
  // Who used the wiki lately through a browser session (Authenticate notes it).
  ActiveUsers& active_users() { return active_users_; }
  SiteSettings settings();

  const Renderer& renderer() const { return renderer_; }
  // Page HTML, rendered once per text (render_cache.h).
  RenderCache& render_cache() { return render_cache_; }
  // Backup and restore: the one door to both (backup_service.h).
  BackupService& backup() { return *backup_; }
  // The setup code and target connection of /setup (first_run_setup.h).
  FirstRunSetup& setup() { return setup_; }

  // Shorthands for renderer()'s calls.
  void RenderPage(Exchange& ex, int status, const std::string& content_template,
                  const std::string& title, TemplateValue data) {
    renderer_.RenderPage(ex, status, content_template, title, std::move(data));
  }
  void SendError(Exchange& ex, const Status& status) { renderer_.SendError(ex, status); }
  void SendMessage(Exchange& ex, int status, const std::string& title, const std::string& text) {
    renderer_.SendMessage(ex, status, title, text);
  }

  // While true every request but the one holding maintenance gets 503.
  std::atomic<bool>& maintenance() { return maintenance_; }
  // Starts maintenance: new requests get 503; waits (up to 30 s) until only
  // `own_requests` requests remain in flight, then closes the database so
  // DATA/live can be swapped. Fails (and ends maintenance) on timeout.
  Status EnterMaintenance(int own_requests);
  // Reopens DATA/live and serves again.
  Status LeaveMaintenance();
  int active_requests() const { return active_requests_; }
  // Requests queued on the database and the search pool. Called from a
  // request; never blocks on the database.
  LoadReport Load();
  // Stops running searches and refuses new ones: for server shutdown.
  void StopSearches();

  Router& router() { return router_; }

 private:
  void Authenticate(Exchange& ex);
  bool CheckAccess(Exchange& ex, const Route& route);
  bool CheckCsrf(Exchange& ex);
  void Dispatch(Exchange& ex);

  Env* env_;
  std::unique_ptr<Storage> storage_;
  std::string storage_layout_root_;
  TemplateSet templates_;
  Router router_;
  LoginThrottle throttle_;
  ActiveUsers active_users_;
  FlashStore flashes_;
  FirstRunSetup setup_;
  std::atomic<bool> maintenance_{false};
  std::atomic<int> active_requests_{0};
  std::mutex settings_mutex_;  // guards storage_ swaps against settings() reads
  SiteSettings cached_settings_;
  // The base URL of the last settings read is https (read on every page
  // render, so a change shows from the next page on).
  std::atomic<bool> https_{false};
  std::string trusted_proxy_;
  Renderer renderer_;
  RenderCache render_cache_;
  // Last, so it is destroyed first: its restore threads use the members above.
  std::unique_ptr<BackupService> backup_;
};

inline constexpr char kSessionCookie[] = "arkwiki_session";
inline constexpr char kLoginCsrfCookie[] = "arkwiki_login_csrf";
inline constexpr int64_t kSessionTtlSeconds = int64_t{14} * 24 * 3600;

// A cookie value from the request, or "".
std::string CookieValue(const Exchange& ex, const std::string& name);

}  // namespace arkwiki::web
