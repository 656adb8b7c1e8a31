// An HttpPoster that keeps every webhook POST ("URL BODY") instead of
// sending it, for the backup service tests.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "webhook_notifier.h"

namespace arkwiki::web {

class RecordingPoster : public HttpPoster {
 public:
  Status PostJson(const std::string& url, const std::string& body,
                  std::chrono::milliseconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    posts_.push_back(url + " " + body);
    return Status::Ok();
  }
  std::vector<std::string> posts() {
    std::lock_guard<std::mutex> lock(mu_);
    return posts_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> posts_;
};

}  // namespace arkwiki::web
