// LoginThrottle: slows password guessing. After kFreeAttempts failures for
// one user name or one client address within kWindow, further attempts are
// refused for a delay that doubles with each failure (capped at kMaxDelay).
// Success clears the name's record. State is in memory: a restart forgets it,
// which only helps an attacker who can restart the server anyway.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace arkwiki::web {

class LoginThrottle {
 public:
  static constexpr int kFreeAttempts = 5;
  static constexpr int64_t kWindowSeconds = int64_t{15} * 60;
  static constexpr int64_t kMaxDelaySeconds = int64_t{15} * 60;

  // Seconds to wait before another attempt is allowed; 0 when allowed.
  int64_t RetryAfter(const std::string& name, const std::string& client, int64_t now);
  void RecordFailure(const std::string& name, const std::string& client, int64_t now);
  void RecordSuccess(const std::string& name);

 private:
  struct Record {
    int failures = 0;
    int64_t first_failure = 0;
    int64_t last_failure = 0;
  };
  int64_t Delay(const Record& r, int64_t now) const;
  void Bump(Record& r, int64_t now);
  std::mutex mutex_;
  std::map<std::string, Record> by_name_;
  std::map<std::string, Record> by_client_;
};

}  // namespace arkwiki::web
