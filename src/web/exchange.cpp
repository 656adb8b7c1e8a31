#include "exchange.h"

#include <Poco/JSON/Stringifier.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <array>
#include <chrono>
#include <sstream>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"
#include "flash_store.h"

namespace arkwiki::web {

std::string Exchange::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::string Exchange::Query(const std::string& name, const std::string& fallback) const {
  auto it = query.find(name);
  return it == query.end() ? fallback : it->second;
}

std::string Exchange::Form(const std::string& name, const std::string& fallback) const {
  auto it = form.find(name);
  return it == form.end() ? fallback : it->second;
}

int HttpStatusFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kForbidden:
      return 403;
    case StatusCode::kConflict:
    case StatusCode::kAlreadyExists:
    case StatusCode::kBusy:
      return 409;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kCorruption:
    case StatusCode::kUnsupported:
      return 422;
    case StatusCode::kNoSpace:
      return 507;
    case StatusCode::kCancelled:  // the server is stopping
      return 503;
    case StatusCode::kPermissionDenied:
    case StatusCode::kIoError:
      return 500;
  }
  return 500;
}

void DiscardOversizeBody(Exchange& ex) { DiscardRestOfBody(ex, kMaxDrainBytes); }

namespace {

// What BodyReceiver::Next found.
enum class BodyRead { kData, kEnd, kLate };

// Reads a request body one receive at a time (peek refills the stream's
// buffer once, readsome takes what it holds), each receive waiting at most
// until `deadline`. A read timeout alone bounds each receive, not the body:
// a client trickling a byte at a time would hold the worker for days.
class BodyReceiver {
 public:
  BodyReceiver(Exchange& ex, std::chrono::steady_clock::time_point deadline)
      : impl_(dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&ex.request)),
        in_(ex.request.stream()),
        deadline_(deadline) {}
  // kData with the bytes in `data`, kEnd at the body's end, kLate once the
  // deadline has passed or the connection broke.
  BodyRead Next(std::string_view* data) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) return BodyRead::kLate;
    try {
      if (impl_ != nullptr) {
        impl_->socket().setReceiveTimeout(Poco::Timespan(left.count() * 1000));
      }
    } catch (const Poco::Exception&) {
      return BodyRead::kLate;  // the connection is gone
    }
    if (in_.peek() == std::char_traits<char>::eof()) {
      // Poco's stream turns a timeout (a receive waits until the deadline)
      // or a reset into badbit: either way the body did not arrive whole.
      return in_.bad() ? BodyRead::kLate : BodyRead::kEnd;
    }
    const std::streamsize n = in_.readsome(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    *data = std::string_view(buf_.data(), static_cast<size_t>(n));
    return BodyRead::kData;
  }

 private:
  Poco::Net::HTTPServerRequestImpl* impl_;
  std::istream& in_;
  const std::chrono::steady_clock::time_point deadline_;
  std::array<char, 65536> buf_{};
};

}  // namespace

void DiscardRestOfBody(Exchange& ex, int64_t max_drain, std::chrono::milliseconds max_time) {
  ex.response.setKeepAlive(false);  // whatever happens, this connection is done
  if (!ex.request.hasContentLength() || ex.request.getContentLength64() > max_drain) return;
  BodyReceiver receiver(ex, std::chrono::steady_clock::now() + max_time);
  // The byte count bounds a chunked body whose declared length lied.
  int64_t drained = 0;
  std::string_view data;
  while (drained <= max_drain && receiver.Next(&data) == BodyRead::kData) {
    drained += static_cast<int64_t>(data.size());
  }
}

void LingerOnUnreadBody(Exchange& ex, int64_t max_drain, std::chrono::milliseconds max_time) {
  if (!ex.request.hasContentLength() || ex.request.getContentLength64() > max_drain) return;
  try {
    if (ex.body_out != nullptr) ex.body_out->flush();
  } catch (const std::exception&) {
    return;  // the client is gone: nothing left to read
  }
  DiscardRestOfBody(ex, max_drain, max_time);
}

Result<std::string> ReadBody(Exchange& ex, size_t max_bytes) {
  if (ex.request.hasContentLength() &&
      ex.request.getContentLength64() > static_cast<std::streamsize>(max_bytes)) {
    // Reading a moderate excess lets the client see our 413 instead of a
    // reset connection; more than that is not worth the bandwidth.
    DiscardOversizeBody(ex);
    return Status::TooLarge("the request body is larger than " + std::to_string(max_bytes) +
                            " bytes");
  }
  std::string body;
  if (!ex.user) {
    // A stranger's body (at most kMaxAnonymousBodyBytes) must arrive
    // within kAnonymousBodyTime, so trickling one cannot hold a worker.
    ex.response.setKeepAlive(false);
    BodyReceiver receiver(ex, std::chrono::steady_clock::now() + kAnonymousBodyTime);
    std::string_view data;
    for (BodyRead r = receiver.Next(&data); r != BodyRead::kEnd; r = receiver.Next(&data)) {
      if (r == BodyRead::kLate) {
        return Status::InvalidArgument("the request body did not arrive within " +
                                       std::to_string(kAnonymousBodyTime.count()) + " s");
      }
      body.append(data);
      if (body.size() > max_bytes) {
        return Status::TooLarge("the request body is larger than " + std::to_string(max_bytes) +
                                " bytes");
      }
    }
    return body;
  }
  std::istream& in = ex.request.stream();
  char buf[16384];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<size_t>(in.gcount()));
    if (body.size() > max_bytes) {
      return Status::TooLarge("the request body is larger than " + std::to_string(max_bytes) +
                              " bytes");
    }
  }
  return body;
}

Result<std::map<std::string, std::string>> ParseFormEncoded(std::string_view text) {
  // A std::map, so many fields cost memory and log-time inserts, not a hash
  // flood; the route's body cap bounds them first. This cap stays above the
  // largest form a page sends ("Order children": kMaxOrderedChildren).
  constexpr size_t kMaxFormFields = 10000;
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t amp = text.find('&', pos);
    std::string_view pair = text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      bool ok_key = true, ok_value = true;
      std::string key = UrlDecode(pair.substr(0, eq), &ok_key, true);
      std::string value =
          eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1), &ok_value, true);
      if (!ok_key || !ok_value) return Status::InvalidArgument("malformed form encoding");
      if (out.size() >= kMaxFormFields) return Status::InvalidArgument("too many form fields");
      out[key] = value;
    }
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

Result<std::map<std::string, std::string>> ReadForm(Exchange& ex, size_t max_bytes) {
  const std::string type = ex.request.getContentType();
  if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
    return Status::InvalidArgument("expected a form (application/x-www-form-urlencoded)");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::string body, ReadBody(ex, max_bytes));
  return ParseFormEncoded(body);
}

void AddCommonHeaders(Exchange& ex) {
  auto& r = ex.response;
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "DENY");
  r.set("Referrer-Policy", "same-origin");
  // No inline script anywhere; scripts and styles come only from us.
  r.set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  if (ex.https) r.set("Strict-Transport-Security", "max-age=31536000");
}

bool IsSafeHeaderValue(std::string_view value) {
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::ostream& SendHead(Exchange& ex) {
  auto& r = ex.response;
  for (const auto& [name, value] : r) {
    if (IsSafeHeaderValue(name) && IsSafeHeaderValue(value)) continue;
    // A split header could set cookies or redirect in the client's name;
    // a caller that built one has a bug, and the client gets a plain 500.
    LogError(ex.method + " " + ex.path + ": refused to send header '" + UrlEncodeComponent(name) +
             "' holding a control character (value, URL-encoded: " + UrlEncodeComponent(value) +
             ")");
    static const std::string kBody = "internal error\n";
    r.clear();
    r.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_INTERNAL_SERVER_ERROR);
    r.setContentType("text/plain; charset=utf-8");
    r.setContentLength64(static_cast<Poco::Int64>(kBody.size()));
    r.setKeepAlive(false);
    AddCommonHeaders(ex);
    r.set("Cache-Control", "no-store");
    std::ostream& out = r.send();
    ex.body_out = &out;
    if (ex.method != "HEAD") out.write(kBody.data(), static_cast<std::streamsize>(kBody.size()));
    ex.refused_body.setstate(std::ios::badbit);
    return ex.refused_body;
  }
  ex.body_out = &r.send();
  return *ex.body_out;
}

void SendBody(Exchange& ex, int status, const std::string& content_type, const std::string& body) {
  AddCommonHeaders(ex);
  ex.response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  ex.response.setContentType(content_type);
  ex.response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  if (!ex.response.has("Cache-Control")) ex.response.set("Cache-Control", "no-store");
  std::ostream& out = SendHead(ex);
  if (!out.good()) return;
  if (ex.method != "HEAD") out.write(body.data(), static_cast<std::streamsize>(body.size()));
  ex.bytes_sent = static_cast<int64_t>(body.size());
}

void SendJson(Exchange& ex, int status, const Poco::JSON::Object::Ptr& body) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(body, out);
  SendBody(ex, status, "application/json", out.str());
}

void SendJsonError(Exchange& ex, const Status& status) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("error", status.message());
  body->set("code", std::string(StatusCodeName(status.code())));
  SendJson(ex, HttpStatusFor(status), body);
}

void SendRedirect(Exchange& ex, const std::string& location, int status) {
  ex.response.set("Location", location);
  SendBody(ex, status, "text/plain; charset=utf-8", "See " + location + "\n");
}

void RedirectWithFlash(Exchange& ex, const std::string& path, const std::string& text,
                       const std::string& kind) {
  if (ex.flashes == nullptr) return SendRedirect(ex, path, 303);
  const std::string id = ex.flashes->Put(ex.session_token, kind, text, NowUnixSeconds());
  SendRedirect(ex, path + (path.find('?') == std::string::npos ? "?" : "&") + "flash=" + id, 303);
}

}  // namespace arkwiki::web
