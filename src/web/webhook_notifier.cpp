#include "webhook_notifier.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <sstream>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"

namespace arkwiki::web {
namespace {

bool IsHttpUrl(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::unique_ptr<Poco::Net::HTTPClientSession> OpenSession(const Poco::URI& uri) {
  if (uri.getScheme() == "http") {
    return std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
  }
  static std::once_flag ssl_once;
  std::call_once(ssl_once, [] { Poco::Net::initializeSSL(); });
  // Verifies the server's certificate chain against the system's CAs, and
  // the session checks the host name.
  Poco::Net::Context::Ptr context = new Poco::Net::Context(
      Poco::Net::Context::TLS_CLIENT_USE, "", "", "", Poco::Net::Context::VERIFY_RELAXED, 9, true);
  return std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), context);
}

class PocoHttpPoster final : public HttpPoster {
 public:
  Status PostJson(const std::string& url, const std::string& body,
                  std::chrono::milliseconds timeout) override {
    if (!IsHttpUrl(url)) return Status::InvalidArgument("webhook URL must be http:// or https://");
    const std::string where = "webhook " + RedactedUrl(url) + ": ";
    try {
      const Poco::URI uri(url);
      auto session = OpenSession(uri);
      const Poco::Timespan limit(
          std::chrono::duration_cast<std::chrono::microseconds>(timeout).count());
      session->setTimeout(limit, limit, limit);
      std::string target = uri.getPathAndQuery();
      Poco::Net::HTTPRequest rq(Poco::Net::HTTPRequest::HTTP_POST, target.empty() ? "/" : target,
                                Poco::Net::HTTPMessage::HTTP_1_1);
      rq.setContentType("application/json");
      rq.setContentLength(static_cast<std::streamsize>(body.size()));
      rq.set("User-Agent", std::string("arkwiki/") + ARKWIKI_VERSION);
      session->sendRequest(rq) << body;
      Poco::Net::HTTPResponse rs;
      session->receiveResponse(rs);
      const int status = static_cast<int>(rs.getStatus());
      if (status / 100 != 2)
        return Status::IoError(where + "answered HTTP " + std::to_string(status));
      return Status::Ok();
    } catch (const Poco::Exception& e) {
      return Status::IoError(where + e.displayText());
    } catch (const std::exception& e) {
      return Status::IoError(where + e.what());
    }
  }
};

}  // namespace

std::unique_ptr<HttpPoster> NewPocoHttpPoster() { return std::make_unique<PocoHttpPoster>(); }

bool IsWebhookEventName(const std::string& event) {
  return event == "backup_failed" || event == "check_failed" || event == "test_restore_failed" ||
         event == "backup_stale" || event == "offsite_copy_failed" || event == "offsite_stale";
}

std::string WebhookBody(const WebhookEvent& e) {
  Poco::JSON::Object body;
  body.set("event", e.event);
  body.set("time", FormatIsoUtc(e.time));
  body.set("time_unix", e.time);
  body.set("message", e.message);
  body.set("instance", e.instance);
  body.set("site", e.site);
  Poco::JSON::Object::Ptr details = new Poco::JSON::Object;
  for (const auto& [k, v] : e.details) details->set(k, v);
  body.set("details", details);
  std::ostringstream out;
  body.stringify(out);
  return out.str();
}

std::string RedactedUrl(const std::string& url) {
  const size_t host = url.find("://");
  if (host == std::string::npos) return "(not a URL)";
  const size_t end = url.find_first_of("/?#", host + 3);
  std::string origin = url.substr(0, end);
  const size_t at = origin.rfind('@');  // never show user:password@
  if (at != std::string::npos) origin.erase(host + 3, at + 1 - (host + 3));
  return end == std::string::npos ? origin : origin + "/...";
}

WebhookNotifier::WebhookNotifier(std::unique_ptr<HttpPoster> poster, Options options)
    : poster_(std::move(poster)), options_(options), worker_([this] { Run(); }) {}

WebhookNotifier::~WebhookNotifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  worker_.join();
}

Status WebhookNotifier::Notify(const std::string& url, const WebhookEvent& event) {
  if (url.empty()) return Status::Ok();
  if (!IsHttpUrl(url)) return Status::InvalidArgument("webhook URL must be http:// or https://");
  if (!IsWebhookEventName(event.event)) {
    return Status::InvalidArgument("unknown webhook event \"" + event.event + "\"");
  }
  Job job{url, WebhookBody(event)};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= options_.max_queue) {
      ++stats_.dropped;
      return Status::Busy("webhook queue is full; event " + event.event + " dropped");
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return Status::Ok();
}

void WebhookNotifier::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return (queue_.empty() && !busy_) || stop_; });
}

WebhookNotifier::Stats WebhookNotifier::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void WebhookNotifier::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const Status s = poster_->PostJson(job.url, job.body, options_.timeout);
    if (!s.ok()) LogWarning("backup alert not delivered: " + s.message());
    lock.lock();
    busy_ = false;
    if (s.ok()) {
      ++stats_.sent;
    } else {
      ++stats_.failed;
      stats_.last_error = s.message();
    }
    if (queue_.empty()) idle_.notify_all();
  }
  idle_.notify_all();
}

}  // namespace arkwiki::web
