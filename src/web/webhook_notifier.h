// Backup alerts to a webhook: a JSON POST to the backup_webhook_url setting
// when a backup, check or test restore fails, or when backups go stale.
//
//   POST <url>   Content-Type: application/json
//   {"event":"backup_failed","time":"2026-12-02T13:00:00Z","time_unix":1796216400,
//    "message":"no space left on device","instance":"<instance id>",
//    "site":"<site title>","details":{"snapshot":"..."}}
//
//   event: backup_failed | check_failed | test_restore_failed | backup_stale |
//          offsite_copy_failed | offsite_stale (details: {"target": NAME})
//
// Notify never blocks the caller (a backup): events go to a bounded queue
// that one worker thread sends, each with a bounded timeout; when the queue
// is full the event is dropped and counted. A failed POST is logged and
// counted, not retried. Logs and stats name the URL only by scheme and host,
// since its path or query often holds a secret.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "arkwiki/core/status.h"

namespace arkwiki::web {

// The network seam: tests put a failing or recording poster here.
class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  // POSTs `body` to `url`; OK for a 2xx answer. kIoError for a network
  // failure, a timeout or a non-2xx answer (naming the status);
  // kInvalidArgument for a URL that is not http(s). Messages name the URL
  // only by RedactedUrl.
  virtual Status PostJson(const std::string& url, const std::string& body,
                          std::chrono::milliseconds timeout) = 0;
};

// The Poco implementation (HTTPClientSession, or HTTPSClientSession that
// verifies the server's certificate against the system's CAs); Poco's
// exceptions become Status here.
std::unique_ptr<HttpPoster> NewPocoHttpPoster();

struct WebhookEvent {
  std::string event;
  int64_t time = 0;  // Unix seconds
  std::string message;
  std::string instance;
  std::string site;
  std::map<std::string, std::string> details;
};

bool IsWebhookEventName(const std::string& event);
// The JSON body of an event (see the header comment).
std::string WebhookBody(const WebhookEvent& event);
// "https://hooks.example.org/..." for logs: scheme and host only.
std::string RedactedUrl(const std::string& url);

class WebhookNotifier {
 public:
  struct Options {
    size_t max_queue = 32;
    std::chrono::milliseconds timeout{10000};
  };
  struct Stats {
    uint64_t sent = 0;
    uint64_t failed = 0;
    uint64_t dropped = 0;    // the queue was full
    std::string last_error;  // with the URL redacted
  };

  WebhookNotifier(std::unique_ptr<HttpPoster> poster, Options options);
  explicit WebhookNotifier(std::unique_ptr<HttpPoster> poster)
      : WebhookNotifier(std::move(poster), Options()) {}
  // Stops the worker; events still queued are dropped.
  ~WebhookNotifier();
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  // Queues `event` for `url`. Returns immediately: kInvalidArgument for a
  // URL that is not http(s) or an unknown event name, kBusy (and counts a
  // drop) when the queue is full; OK once queued. An empty url sends nothing.
  Status Notify(const std::string& url, const WebhookEvent& event);

  // Blocks until every queued event has been sent or has failed.
  void WaitIdle();
  Stats stats() const;

 private:
  struct Job {
    std::string url;
    std::string body;
  };
  void Run();

  std::unique_ptr<HttpPoster> poster_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  Stats stats_;
  std::thread worker_;  // last: starts after the members above exist
};

}  // namespace arkwiki::web
