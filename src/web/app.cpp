#include "app.h"

#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/String.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <thread>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"
#include "arkwiki/storage/db_wait.h"
#include "backup_service.h"
#include "embedded_assets.h"
#include "routes.h"

namespace arkwiki::web {
namespace {

// Whether `request` carries header `name` more than once (Poco keeps every
// copy, sorted by name without regard to case).
bool HasRepeatedHeader(const Poco::Net::HTTPRequest& request, const std::string& name) {
  auto it = request.find(name);
  if (it == request.end()) return false;
  ++it;
  return it != request.end() && Poco::icompare(it->first, name) == 0;
}

// Why the request's body cannot be delimited one way only (RFC 9112, 6.1
// and 6.3), or "": a header name with white space in it (a proxy may take
// "Transfer-Encoding :" for the header, Poco does not), Content-Length with
// Transfer-Encoding, a Content-Length repeated (Poco reads the first, a
// proxy may read another) or not plain digits (Poco reads "1,0" as 10), a
// Transfer-Encoding repeated or other than "chunked" (Poco sees no body
// then; a proxy may see a chunked one). Nothing of arkwiki's takes another
// transfer coding.
std::string FramingProblem(const Poco::Net::HTTPRequest& request) {
  for (const auto& [name, value] : request) {
    if (name.empty() || name.find_first_of(" \t") != std::string::npos) {
      return "a header name may not be empty or contain white space";
    }
  }
  const bool has_length = request.has("Content-Length");
  const bool has_coding = request.has("Transfer-Encoding");
  if (has_length && has_coding) {
    return "a request may not have both Content-Length and Transfer-Encoding";
  }
  if (HasRepeatedHeader(request, "Content-Length")) {
    return "a request may have one Content-Length header";
  }
  if (has_length) {
    const std::string& length = request.get("Content-Length");
    if (length.empty() || length.size() > 18 ||
        length.find_first_not_of("0123456789") != std::string::npos) {
      return "Content-Length must be a number of bytes";
    }
  }
  if (has_coding &&
      (HasRepeatedHeader(request, "Transfer-Encoding") ||
       Poco::icompare(Poco::trim(request.get("Transfer-Encoding")), "chunked") != 0)) {
    return "the only Transfer-Encoding arkwiki takes is chunked";
  }
  return "";
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The address a request comes from, in canonical form (CanonicalIpAddress:
// an IPv4 peer of an IPv6 socket as IPv4): the TCP peer's, or, when the
// peer is `trusted_proxy`, the last address of X-Forwarded-For (the one that
// proxy saw; the ones before it are the client's word). A header that does
// not end in an address leaves the peer's.
std::string ClientAddress(const Poco::Net::HTTPServerRequest& request,
                          const std::string& trusted_proxy) {
  const std::string host = request.clientAddress().host().toString();
  std::string peer = CanonicalIpAddress(host).value_or(host);
  if (trusted_proxy.empty() || peer != trusted_proxy) return peer;
  std::string forwarded;
  for (const auto& [name, value] : request) {
    if (Poco::icompare(name, "X-Forwarded-For") == 0) forwarded = value;  // the last field
  }
  const size_t comma = forwarded.rfind(',');
  std::string last = forwarded.substr(comma == std::string::npos ? 0 : comma + 1);
  last.erase(0, last.find_first_not_of(" \t"));
  last.erase(last.find_last_not_of(" \t") + 1);
  std::optional<std::string> address = CanonicalIpAddress(last);
  return address ? *address : peer;
}

std::string BearerToken(const Exchange& ex) {
  const std::string auth = ex.request.get("Authorization", "");
  if (auth.size() > 7 && (auth.rfind("Bearer ", 0) == 0 || auth.rfind("bearer ", 0) == 0)) {
    return auth.substr(7);
  }
  return "";
}

// Keeps CSRF tokens sent in query strings (plain multipart forms) out of logs.
std::string RedactCsrf(const std::string& uri) {
  size_t pos = uri.find("csrf=");
  if (pos == std::string::npos || (pos > 0 && uri[pos - 1] != '?' && uri[pos - 1] != '&')) {
    return uri;
  }
  size_t end = uri.find('&', pos);
  return uri.substr(0, pos + 5) + "-" + (end == std::string::npos ? "" : uri.substr(end));
}

using Millis = std::chrono::duration<double, std::milli>;

// A request that takes this long or longer, from its connection's hand-over
// to a worker to its end, is logged with where its time went.
constexpr Millis kSlowRequest{100};

Millis ThreadCpuTime() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return Millis{0};
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Where one request's time went: queued for a worker, blocked waiting for a
// database connection, on the CPU, and the rest (preempted by other threads,
// waiting for the client or the disk).
class RequestTimer {
 public:
  RequestTimer() : start_(std::chrono::steady_clock::now()), cpu_start_(ThreadCpuTime()) {
    (void)TakeThreadDbWait();  // what the thread waited before this request
  }
  Millis elapsed() const { return std::chrono::steady_clock::now() - start_; }
  void LogIfSlow(const Exchange& ex, const std::string& uri, Millis handled) const {
    const Millis queued = ex.queued;
    if (queued + handled < kSlowRequest) return;
    const Millis db_wait = TakeThreadDbWait();
    const Millis cpu = ThreadCpuTime() - cpu_start_;
    char line[200];
    std::snprintf(line, sizeof line,
                  " %d took %.1f ms: %.1f ms queued for a worker, %.1f ms handling it "
                  "(%.1f ms waiting for a database connection, %.1f ms on the CPU)",
                  static_cast<int>(ex.response.getStatus()), (queued + handled).count(),
                  queued.count(), handled.count(), db_wait.count(), cpu.count());
    LogInfo("slow request: " + ex.method + " " + uri + line);
  }

 private:
  std::chrono::steady_clock::time_point start_;
  Millis cpu_start_;
};

}  // namespace

std::string CookieValue(const Exchange& ex, const std::string& name) {
  Poco::Net::NameValueCollection cookies;
  ex.request.getCookies(cookies);
  return cookies.get(name, "");
}

WikiApp::WikiApp(Env* env, std::unique_ptr<Storage> storage)
    : env_(env),
      storage_(std::move(storage)),
      storage_layout_root_(storage_->layout().root),
      setup_(DataDirLayout(storage_layout_root_).setup_code),
      renderer_(&templates_, [this] { return settings(); }),
      render_cache_(env, JoinPath(DataDirLayout(storage_layout_root_).cache, "render")),
      backup_(std::make_unique<BackupService>(*this)) {}

WikiApp::~WikiApp() = default;

Status WikiApp::Init() {
  ARKWIKI_RETURN_IF_ERROR(AddEmbeddedTemplates(&templates_));
  RegisterRoutes(*this);
  (void)settings();  // learns whether the base URL is https before the first request
  return Status::Ok();
}

Status WikiApp::EnterMaintenance(int own_requests) {
  maintenance_ = true;
  for (int i = 0; active_requests_ > own_requests; ++i) {
    if (i > 3000) {
      maintenance_ = false;
      return Status::Busy("requests in flight did not finish within 30 s; try again");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (void)settings();  // refresh the copy that maintenance pages use
  std::lock_guard<std::mutex> lock(settings_mutex_);
  storage_.reset();
  return Status::Ok();
}

Status WikiApp::LeaveMaintenance() {
  auto storage = Storage::Open(env_, storage_layout_root_);
  if (!storage.ok()) {
    LogError("cannot reopen the data directory after maintenance: " + storage.status().ToString());
    return storage.status();  // stays in maintenance: serving a half-open wiki would be worse
  }
  {
    std::lock_guard<std::mutex> lock(settings_mutex_);
    storage_ = std::move(storage).value();
  }
  maintenance_ = false;
  return Status::Ok();
}

LoadReport WikiApp::Load() {
  // No settings_mutex_: settings() holds it across a database query, and a
  // health check must answer while the database is slow. A request sees a
  // stable storage_, as every handler does (maintenance drains requests
  // before it swaps it).
  LoadReport r;
  if (!storage_) return r;
  r.waiting = storage_->db().waiting() + storage_->reads().waiting() + storage_->views().waiting();
  r.waiting_ms = std::max({storage_->db().waiting_ms(), storage_->reads().waiting_ms(),
                           storage_->views().waiting_ms()});
  r.searches_running = storage_->reads().running();
  return r;
}

void WikiApp::StopSearches() {
  std::lock_guard<std::mutex> lock(settings_mutex_);
  if (storage_) storage_->reads().Shutdown();
}

SiteSettings WikiApp::settings() {
  std::lock_guard<std::mutex> lock(settings_mutex_);
  // While maintenance has the database closed, pages (the 503 page itself)
  // render with the last settings read.
  if (!storage_) return cached_settings_;
  auto s = storage_->settings().Load();
  if (!s.ok()) {
    LogError("cannot load settings: " + s.status().ToString());
    return cached_settings_;
  }
  cached_settings_ = *s;
  https_ = s->base_url.rfind("https://", 0) == 0;
  return std::move(s).value();
}

void WikiApp::Authenticate(Exchange& ex) {
  const std::string bearer = BearerToken(ex);
  if (!bearer.empty()) {
    auto user = storage_->users().LookupApiToken(bearer);
    if (user.ok()) {
      ex.user = *user;
      ex.via_api_token = true;
    }
    return;
  }
  const std::string token = CookieValue(ex, kSessionCookie);
  if (token.empty()) return;
  auto session = storage_->users().LookupSession(token);
  if (!session.ok()) return;
  ex.user = session->user;
  ex.csrf = session->csrf;
  ex.session_token = token;
  ex.logged_in_at = session->created_at;
  active_users_.Seen(ex.user->name, NowUnixSeconds());
  auto prefs = storage_->users().GetPreferences(ex.user->id);
  if (prefs.ok()) {
    ex.theme = prefs->at("theme");
    ex.timezone = prefs->at("timezone");
  }
}

bool WikiApp::CheckAccess(Exchange& ex, const Route& route) {
  Role needed = Role::kReader;
  switch (route.access) {
    case Access::kAnyone:
      return true;
    case Access::kAnyoneDuringSetup: {
      const Result<int64_t> users = storage().users().Count();
      if (!users.ok()) {
        SendError(ex, users.status());
        return false;
      }
      if (*users == 0 && setup().active()) return true;
      if (*users > 0 && setup().active()) {  // finding a user ends the setup code
        Status ended = setup().End();
        if (!ended.ok()) LogWarning("could not end the setup code: " + ended.ToString());
      }
      SendError(ex, Status::NotFound("there is nothing at " + ex.path));
      return false;
    }
    case Access::kLoggedIn:
      needed = Role::kReader;
      break;
    case Access::kEditor:
      needed = Role::kEditor;
      break;
    case Access::kAdmin:
      needed = Role::kAdmin;
      break;
  }
  if (!ex.user) {
    if (!ex.is_api() && (ex.method == "GET" || ex.method == "HEAD")) {
      SendRedirect(ex, "/login?next=" + UrlEncodeComponent(ex.request.getURI()));
    } else {
      SendError(ex, Status::Unauthenticated("log in first"));
    }
    return false;
  }
  if (!ex.at_least(needed)) {
    SendError(ex, Status::Forbidden(std::string("this needs the ") + RoleName(needed) +
                                    " role or higher"));
    return false;
  }
  return true;
}

bool WikiApp::CheckCsrf(Exchange& ex) {
  if (ex.method == "GET" || ex.method == "HEAD" || ex.via_api_token) return true;
  std::string sent = ex.Form("csrf");
  if (sent.empty()) sent = ex.request.get("X-CSRF-Token", "");
  if (sent.empty()) sent = ex.Query("csrf");
  const std::string expected = ex.user ? ex.csrf : CookieValue(ex, kLoginCsrfCookie);
  if (ConstantTimeEquals(sent, expected)) return true;
  SendError(ex, Status::Forbidden("the form's security token is missing or out of date; "
                                  "reload the page and try again"));
  return false;
}

void WikiApp::Dispatch(Exchange& ex) {
  std::string allowed;
  const Route* route = router_.Match(ex, &allowed);
  if (route == nullptr) {
    if (!allowed.empty()) {
      ex.response.set("Allow", allowed);
      SendError(ex, Status(StatusCode::kInvalidArgument, "method not allowed"));
    } else {
      SendError(ex, Status::NotFound("there is nothing at " + ex.path));
    }
    return;
  }
  if (!CheckAccess(ex, *route)) return;
  const bool is_form = ex.method == "POST" && ex.request.getContentType().rfind(
                                                  "application/x-www-form-urlencoded", 0) == 0;
  size_t max_body = is_form ? route->max_form_bytes : SIZE_MAX;
  if (!ex.user) max_body = std::min(max_body, kMaxAnonymousBodyBytes);
  if (ex.request.hasContentLength() &&
      static_cast<uint64_t>(ex.request.getContentLength64()) > max_body) {
    // Refused unread: the connection closes (Handle), so the body is never
    // taken for a next request.
    return SendError(ex, Status::TooLarge("the request body is larger than " +
                                          std::to_string(max_body) + " bytes"));
  }
  if (is_form) {
    auto form = ReadForm(ex, max_body);
    if (!form.ok()) return SendError(ex, form.status());
    ex.form = std::move(form).value();
  }
  if (!CheckCsrf(ex)) return;
  route->handler(ex);
}

void WikiApp::Handle(Exchange& ex) {
  const RequestTimer timer;
  ++active_requests_;
  ex.method = ex.request.getMethod();
  const std::string& uri = ex.request.getURI();
  size_t q = uri.find('?');
  ex.path = uri.substr(0, q);
  ex.client = ClientAddress(ex.request, trusted_proxy_);
  ex.https = https_;
  ex.flashes = &flashes_;
  if (q != std::string::npos) {
    auto query = ParseFormEncoded(std::string_view(uri).substr(q + 1));
    if (query.ok()) ex.query = std::move(query).value();
  }
  // A request whose body two servers could delimit two ways is refused, and
  // its connection closed: where it ends is not known, and the bytes after
  // its head must not be read as another request (request smuggling).
  const std::string framing = FramingProblem(ex.request);
  // A response may go out before a request body is read (403, 404, 413...).
  // Closing such connections keeps unread body bytes from being parsed as
  // the next request on a kept-alive connection.
  if (!framing.empty() || ex.request.has("Transfer-Encoding") ||
      (ex.request.hasContentLength() && ex.request.getContentLength64() > 0)) {
    ex.response.setKeepAlive(false);
  }
  try {
    if (!framing.empty()) {
      SendError(ex, Status::InvalidArgument(framing));
    } else if (maintenance_) {
      ex.response.set("Retry-After", "5");
      if (ex.path == "/api/health" || ex.is_api()) {
        Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
        body->set("status", "maintenance");
        SendJson(ex, 503, body);
      } else {
        SendMessage(ex, 503, "Maintenance",
                    "The wiki is being restored from a backup. It will be back in a moment.");
      }
    } else {
      Authenticate(ex);
      Dispatch(ex);
    }
  } catch (const std::exception& e) {
    LogError("request " + ex.method + " " + ex.path + " failed: " + e.what());
    if (!ex.response.sent()) SendError(ex, Status::IoError("internal error"));
  }
  // An answer sent before the body was read (401, 403, 404, 503...) ends
  // the connection (above); a body of moderate size is read to its end
  // first, so that the client still sending sees the answer. Bodies a
  // handler read are at their end already; a 413's body was refused for
  // its size and stays unread.
  // An anonymous client gets 2 s: lingering must not lend a stranger a
  // worker to trickle bytes into.
  if (ex.response.sent() && !ex.response.getKeepAlive() &&
      ex.response.getStatus() != Poco::Net::HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE) {
    if (ex.user) {
      LingerOnUnreadBody(ex, kMaxDrainBytes, std::chrono::seconds(30));
    } else {
      LingerOnUnreadBody(ex, static_cast<int64_t>(kMaxAnonymousBodyBytes), std::chrono::seconds(2));
    }
  }
  const Millis handled = timer.elapsed();
  const std::string logged_uri = RedactCsrf(uri);
  LogAccess(ex.client, ex.method, logged_uri, static_cast<int>(ex.response.getStatus()),
            ex.bytes_sent, handled.count(), ex.user ? ex.user->name : "-");
  timer.LogIfSlow(ex, logged_uri, handled);
  --active_requests_;
}

}  // namespace arkwiki::web
