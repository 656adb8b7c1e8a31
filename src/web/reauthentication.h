// Reauthentication ("sudo mode"): actions that replace all data or delete
// backups, that give someone lasting power over the wiki (a new user, a
// role, another user's password, enabling a user, an API token), or that
// decide where backups go and how long they are kept (off-site targets,
// the backup policy, the wiki's settings), need, from a browser session, the user's password or
// a login less than kRecentLoginSeconds ago. A session left open, or a
// forged request that carries its CSRF token, cannot do them alone, nor
// give itself a way around the check (an admin of its own, a token, or a
// copy of every backup sent elsewhere). Requests with an API token
// (scripts) are exempt: the token is the credential.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "exchange.h"

namespace arkwiki::web {

class WikiApp;

inline constexpr int64_t kRecentLoginSeconds = int64_t{5} * 60;
// The action an import, Undo last import or a restore confirms.
inline constexpr char kReplaceAllAction[] = "Replacing all data";
// The wiki's settings include where alerts go, how long safety backups are
// kept, the import size cap and base_url (which decides whether cookies are
// Secure).
inline constexpr char kSettingsAction[] = "Changing the wiki's settings";
// The header that carries the password for a JSON API request.
inline constexpr char kConfirmPasswordHeader[] = "X-Confirm-Password";

// Returns "" when the request may go on, else the message to show, with
// *http_status 401 (wrong password), 403 (none given) or 429 (throttled
// like logins, with a Retry-After header set on ex.response). `action` names what is confirmed, as
// the start of a sentence ("Replacing all data"): the 403's message is "<action> needs your
// password: type it to confirm."
std::string CheckReauthentication(WikiApp& app, Exchange& ex, const std::string& password,
                                  std::string_view action, int* http_status);

// The password check alone, whatever the login's age: throttled like
// logins, and a wrong password is counted and logged with `action`.
std::string CheckPasswordConfirmation(WikiApp& app, Exchange& ex, const std::string& password,
                                      std::string_view action, int* http_status);

// For a form that answers with a redirect to `page` (Settings → Backup &
// Import's forms), whose password comes in the form's `password` field:
// redirects with the refusal as an error flash and returns true when the
// request may not go on.
bool RefuseUnconfirmedForm(WikiApp& app, Exchange& ex, std::string_view action,
                           const std::string& page);
// For a JSON API call, whose password comes in kConfirmPasswordHeader:
// discards the request's body (DiscardOversizeBody), sends the refusal with
// SendReauthenticationRefusal and returns true when the request may not go
// on.
bool RefuseUnconfirmedApiCall(WikiApp& app, Exchange& ex, std::string_view action);
// The JSON refusal: {"error": message, "code": "too_many_requests"} for
// 429, else "password_required".
void SendReauthenticationRefusal(Exchange& ex, int http_status, const std::string& message);

}  // namespace arkwiki::web
