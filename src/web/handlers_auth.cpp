// Login and logout.
#include "handlers_auth.h"

#include <Poco/Net/HTTPCookie.h>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"

namespace arkwiki::web::auth {
namespace {

void SetCookie(Exchange& ex, const std::string& name, const std::string& value, int max_age) {
  Poco::Net::HTTPCookie cookie(name, value);
  cookie.setPath("/");
  cookie.setHttpOnly(true);
  cookie.setMaxAge(max_age);
  cookie.setSameSite(Poco::Net::HTTPCookie::SAME_SITE_LAX);
  cookie.setSecure(ex.https);
  ex.response.addCookie(cookie);
}

// Only same-site paths, never "//host" or "/\host": no open redirects.
// No control characters or whitespace either: the value goes into a
// Location header, and browsers drop tabs and newlines from URLs.
std::string SafeNext(const std::string& next) {
  if (next.empty() || next[0] != '/' || next.size() > 1000) return "/";
  if (next.size() > 1 && (next[1] == '/' || next[1] == '\\')) return "/";
  for (unsigned char c : next) {
    if (c <= 0x20 || c == 0x7f) return "/";
  }
  return next;
}

}  // namespace

std::string AnonymousFormToken(Exchange& ex) {
  std::string token = ex.user ? ex.csrf : CookieValue(ex, kLoginCsrfCookie);
  if (token.size() != 64) {
    token = RandomHex(32);
    SetCookie(ex, kLoginCsrfCookie, token, 3600);
  }
  return token;
}

void ShowLogin(WikiApp& app, Exchange& ex, int status, const std::string& error) {
  // Double-submit token for the login form, which has no session yet.
  const std::string token = AnonymousFormToken(ex);
  TemplateValue data =
      TemplateValue::MakeMap({{"login_csrf", token},
                              {"next", SafeNext(ex.Query("next", ex.Form("next")))},
                              {"name", ex.Form("name")},
                              {"error", error}});
  app.RenderPage(ex, status, "login", "Log in", std::move(data));
}

void PostLogin(WikiApp& app, Exchange& ex) {
  const std::string name = ex.Form("name");
  const int64_t now = NowUnixSeconds();
  if (int64_t wait = app.throttle().RetryAfter(name, ex.client, now); wait > 0) {
    ex.response.set("Retry-After", std::to_string(wait));
    return ShowLogin(
        app, ex, 429,
        "Too many failed attempts. Try again in " + std::to_string(wait) + " seconds.");
  }
  auto user = app.storage().users().Authenticate(name, ex.Form("password"));
  if (!user.ok()) {
    app.throttle().RecordFailure(name, ex.client, now);
    // Only a name a user could have is echoed: any other text (quotes,
    // " from <address>") could forge the address a log filter reads.
    LogWarning("failed login for " +
               (ValidateUserName(name).ok() ? "'" + name + "'" : std::string("an invalid name")) +
               " from " + ex.client);
    return ShowLogin(app, ex, 401, "Wrong user name or password.");
  }
  app.throttle().RecordSuccess(name, ex.client);
  // Logins are when ended sessions get cleared out (besides server start).
  Status expired = app.storage().users().DeleteExpiredSessions();
  if (!expired.ok()) LogWarning("could not delete ended sessions: " + expired.ToString());
  auto session = app.storage().users().CreateSession(user->id, kSessionTtlSeconds);
  if (!session.ok()) return app.SendError(ex, session.status());
  SetCookie(ex, kSessionCookie, session->token, static_cast<int>(kSessionTtlSeconds));
  SetCookie(ex, kLoginCsrfCookie, "", 0);
  SendRedirect(ex, SafeNext(ex.Form("next")));
}

void PostLogout(WikiApp& app, Exchange& ex) {
  if (!ex.session_token.empty()) {
    Status s = app.storage().users().DeleteSession(ex.session_token);
    if (!s.ok()) return app.SendError(ex, s);
  }
  SetCookie(ex, kSessionCookie, "", 0);
  SendRedirect(ex, "/");
}

}  // namespace arkwiki::web::auth
