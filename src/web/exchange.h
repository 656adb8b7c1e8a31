// Exchange: one HTTP request and its response, with what the router and the
// auth layer learned about it. Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/user_store.h"

namespace arkwiki::web {

class FlashStore;

struct Exchange {
  Exchange(Poco::Net::HTTPServerRequest& rq, Poco::Net::HTTPServerResponse& rs)
      : request(rq), response(rs) {}
  Poco::Net::HTTPServerRequest& request;
  Poco::Net::HTTPServerResponse& response;

  std::string method;
  std::string path;                           // as sent, without the query
  std::map<std::string, std::string> query;   // decoded query parameters
  std::map<std::string, std::string> params;  // route captures, decoded
  std::map<std::string, std::string> form;    // urlencoded POST body, read up front
  std::string client;

  std::optional<User> user;  // set when a session or API token is valid
  std::string session_token;
  std::string csrf;          // the session's CSRF token ("" for API tokens)
  int64_t logged_in_at = 0;  // when the session's login happened (0 for API tokens)
  bool via_api_token = false;
  std::string theme = "system";
  std::string timezone = "UTC";  // IANA name; dates are shown in it by time.js
  // The configured base URL is https: cookies get Secure, responses HSTS.
  bool https = false;
  FlashStore* flashes = nullptr;  // where RedirectWithFlash keeps its message
  // How long the connection waited in the queue for a worker thread before
  // this request, its first (0 for later requests on a kept-alive one).
  std::chrono::steady_clock::duration queued{};

  bool is_api() const { return path.rfind("/api/", 0) == 0; }
  bool at_least(Role role) const {
    return user && static_cast<int>(user->role) >= static_cast<int>(role);
  }
  std::string Param(const std::string& name) const;
  std::string Query(const std::string& name, const std::string& fallback = "") const;
  std::string Form(const std::string& name, const std::string& fallback = "") const;
  int64_t bytes_sent = 0;
  // What SendHead() returns when it refused the headers: writes go nowhere.
  std::ostream refused_body{nullptr};
  // The response body's stream once SendHead() has run (Poco's, buffered).
  std::ostream* body_out = nullptr;
};

// Maps a Status code to an HTTP status.
int HttpStatusFor(const Status& status);

// The most of a refused body read to its end so that the client sees the
// answer (closing with bytes unread sends a reset, which may discard it).
inline constexpr int64_t kMaxDrainBytes = int64_t{64} << 20;
// How long a client that is not logged in has to send a request body that
// ReadBody reads (its size is capped at kMaxAnonymousBodyBytes).
inline constexpr std::chrono::seconds kAnonymousBodyTime{10};
// Reads and drops a body we refuse, if it is small enough to be worth it
// (so the client can read our answer); otherwise marks the connection to close.
void DiscardOversizeBody(Exchange& ex);
// Reads and drops what is left of the body if its declared length is at most
// max_drain, so a client that sends it all before reading sees our answer
// instead of a reset; always closes the connection afterwards. Stops after
// max_time however slowly the body comes, and after max_drain bytes
// however long the body is.
void DiscardRestOfBody(Exchange& ex, int64_t max_drain,
                       std::chrono::milliseconds max_time = std::chrono::seconds(30));
// For an answer sent before the request body was read, on a connection
// that closes: sends the answer now, then reads what is left of a body of
// at most max_drain bytes for at most max_time (DiscardRestOfBody), so
// that closing sends a FIN after the answer rather than a reset that can
// discard it at a client still sending.
void LingerOnUnreadBody(Exchange& ex, int64_t max_drain, std::chrono::milliseconds max_time);
// Reads at most max_bytes of the body; TooLarge beyond that. Without a
// user, InvalidArgument when the body has not arrived within
// kAnonymousBodyTime.
Result<std::string> ReadBody(Exchange& ex, size_t max_bytes);
// Decodes an application/x-www-form-urlencoded body (or query string).
Result<std::map<std::string, std::string>> ParseFormEncoded(std::string_view text);
Result<std::map<std::string, std::string>> ReadForm(Exchange& ex, size_t max_bytes = 20u << 20);

// The one way a response's status line and headers go out. A header name or
// value holding a control character (CR, LF, NUL...; HTAB is allowed) is
// never sent, whoever set it: the client gets a 500 instead, the error log
// names the header, and the returned stream is failed and discards writes.
std::ostream& SendHead(Exchange& ex);
// True when `value` may be sent as a header value (no control character
// but HTAB).
bool IsSafeHeaderValue(std::string_view value);

void SendBody(Exchange& ex, int status, const std::string& content_type, const std::string& body);
void SendJson(Exchange& ex, int status, const Poco::JSON::Object::Ptr& body);
void SendJsonError(Exchange& ex, const Status& status);
void SendRedirect(Exchange& ex, const std::string& location, int status = 303);
// Security headers sent with every response.
void AddCommonHeaders(Exchange& ex);

// 303 to `path` with a message for the next page (kind "success", "error",
// "warning" or "info"): the message stays on the server (flash_store.h) and
// the URL carries only its id (?flash=ID).
void RedirectWithFlash(Exchange& ex, const std::string& path, const std::string& text,
                       const std::string& kind = "success");

}  // namespace arkwiki::web
