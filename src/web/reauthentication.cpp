#include "reauthentication.h"

#include <Poco/JSON/Object.h>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "json_util.h"

namespace arkwiki::web {

std::string CheckReauthentication(WikiApp& app, Exchange& ex, const std::string& password,
                                  std::string_view action, int* http_status) {
  if (ex.via_api_token || ex.session_token.empty()) return "";
  if (password.empty()) {
    if (NowUnixSeconds() - ex.logged_in_at < kRecentLoginSeconds) return "";
    *http_status = 403;
    return std::string(action) + " needs your password: type it to confirm.";
  }
  return CheckPasswordConfirmation(app, ex, password, action, http_status);
}

std::string CheckPasswordConfirmation(WikiApp& app, Exchange& ex, const std::string& password,
                                      std::string_view action, int* http_status) {
  const int64_t now = NowUnixSeconds();
  if (int64_t wait = app.throttle().RetryAfter(ex.user->name, ex.client, now); wait > 0) {
    *http_status = 429;
    ex.response.set("Retry-After", std::to_string(wait));
    return "Too many wrong passwords. Try again in " + std::to_string(wait) +
           (wait == 1 ? " second." : " seconds.");
  }
  if (!app.storage().users().Authenticate(ex.user->name, password).ok()) {
    app.throttle().RecordFailure(ex.user->name, ex.client, now);
    LogWarning("wrong password confirming '" + std::string(action) + "', user '" + ex.user->name +
               "'");
    *http_status = 401;
    return "Wrong password.";
  }
  return "";
}

bool RefuseUnconfirmedForm(WikiApp& app, Exchange& ex, std::string_view action,
                           const std::string& page) {
  int status = 403;
  const std::string refused = CheckReauthentication(app, ex, ex.Form("password"), action, &status);
  if (refused.empty()) return false;
  RedirectWithFlash(ex, page, refused, "error");
  return true;
}

bool RefuseUnconfirmedApiCall(WikiApp& app, Exchange& ex, std::string_view action) {
  int status = 403;
  const std::string refused =
      CheckReauthentication(app, ex, ex.request.get(kConfirmPasswordHeader, ""), action, &status);
  if (refused.empty()) return false;
  DiscardOversizeBody(ex);
  SendReauthenticationRefusal(ex, status, refused);
  return true;
}

void SendReauthenticationRefusal(Exchange& ex, int http_status, const std::string& message) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("error", message);
  body->set("code", http_status == 429 ? "too_many_requests" : "password_required");
  SendJson(ex, http_status, body);
}

}  // namespace arkwiki::web
