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

#include "arkwiki/storage/storage.h"
#include "arkwiki/web/template.h"
#include "web/exchange.h"
#include "web/login_throttle.h"
#include "web/router.h"

namespace arkwiki::web {

struct LoadReport {
  int64_t waiting = 0;     // requests blocked on the writer or the search pool
  int64_t waiting_ms = 0;  // how long some request has queued without a pause
  int64_t searches_running = 0;
};

class WikiApp {
 public:
  WikiApp(Env* env, std::unique_ptr<Storage> storage);
  Status Init();

  void Handle(Exchange& ex);

  Storage& storage() { return *storage_; }
  const DataDirLayout layout() const { return DataDirLayout(storage_layout_root_); }
  Env* env() const { return env_; }
  LoginThrottle& throttle() { return throttle_; }
  SiteSettings settings();

  // Renders `content_template` with `data`, wraps it in the layout, sends it.
  void RenderPage(Exchange& ex, int status, const std::string& content_template,
                  const std::string& title, TemplateValue data);
  // An error page (HTML) or {"error": ...} (API) for a failed Status.
  void SendError(Exchange& ex, const Status& status);
  void SendMessage(Exchange& ex, int status, const std::string& title, const std::string& text);

  // While true every request but the one holding maintenance gets 503.
  std::atomic<bool>& maintenance() { return maintenance_; }
  // Starts maintenance: new requests get 503; waits (up to 30 s) until only
  // `own_requests` requests remain in flight, then closes the database so
  // DATA/live can be swapped. Fails (and ends maintenance) on timeout.
  Status EnterMaintenance(int own_requests);
  // Reopens DATA/live and serves again.
  Status LeaveMaintenance();
  // Serialises backups and imports: only one at a time (others get 409).
  std::mutex& exclusive_operation() { return exclusive_operation_; }
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
  std::atomic<bool> maintenance_{false};
  std::atomic<int> active_requests_{0};
  std::mutex exclusive_operation_;
  std::mutex settings_mutex_;  // guards storage_ swaps against settings() reads
  SiteSettings cached_settings_;
};

// Registers each handler group's routes (defined in handlers_*.cpp).
void RegisterAuthRoutes(WikiApp& app);
void RegisterApiRoutes(WikiApp& app);
void RegisterPageRoutes(WikiApp& app);
void RegisterUploadRoutes(WikiApp& app);
void RegisterSettingsRoutes(WikiApp& app);
void RegisterBackupRoutes(WikiApp& app);

inline constexpr char kSessionCookie[] = "arkwiki_session";
inline constexpr char kLoginCsrfCookie[] = "arkwiki_login_csrf";
inline constexpr int64_t kSessionTtlSeconds = int64_t{14} * 24 * 3600;

// Template data common to every page (user, flags, csrf, theme).
TemplateValue BaseTemplateData(WikiApp& app, const Exchange& ex);
// A cookie value from the request, or "".
std::string CookieValue(const Exchange& ex, const std::string& name);

}  // namespace arkwiki::web
