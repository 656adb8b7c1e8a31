// LoginThrottle: slows password guessing without letting anyone lock a user
// out. Failures are counted per (user name, client address) pair and per
// client address: after kFreeAttempts failures within kWindowSeconds,
// further attempts from that pair (or, at a quarter of the rate, from that
// address) wait for a delay that doubles with each failure, capped at
// kMaxDelaySeconds. Failures from one address never delay the same name
// from another address.
//
// A global limit bounds guessing spread over many addresses: once more than
// kGlobalFailuresPerWindow failures happened in the current
// kGlobalWindowSeconds, a client that failed in that window waits for the
// next one; a client with no recent failure is never held up by it.
//
// An IPv6 client is counted by its /64 network: one host usually holds a
// whole /64, and would otherwise get kFreeAttempts fresh attempts per
// address it picks from it.
//
// Memory is bounded: each map holds at most kMaxRecords records; records
// past the window are dropped first. State is in memory: a restart forgets
// it, which only helps an attacker who can restart the server anyway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace arkwiki::web {

class LoginThrottle {
 public:
  static constexpr int kFreeAttempts = 5;
  static constexpr int64_t kWindowSeconds = int64_t{15} * 60;
  static constexpr int64_t kMaxDelaySeconds = int64_t{15} * 60;
  static constexpr int64_t kGlobalWindowSeconds = 60;
  static constexpr int kGlobalFailuresPerWindow = 300;
  static constexpr size_t kMaxRecords = 100000;

  // Seconds to wait before another attempt is allowed; 0 when allowed.
  int64_t RetryAfter(const std::string& name, const std::string& address, int64_t now);
  void RecordFailure(const std::string& name, const std::string& address, int64_t now);
  // Clears the record of this name from this client.
  void RecordSuccess(const std::string& name, const std::string& address);
  // Records held (pairs and addresses): at most 2 * kMaxRecords.
  size_t RecordCount();

 private:
  struct Record {
    int failures = 0;
    int64_t first_failure = 0;
    int64_t last_failure = 0;
  };
  using PairKey = std::pair<std::string, std::string>;  // (name, client)
  int64_t Delay(const Record& r, int64_t now) const;
  void Bump(Record& r, int64_t now);
  template <typename Map>
  void MakeRoom(Map& records, int64_t now);
  int64_t GlobalWait(const std::string& client, int64_t now) const;

  std::mutex mutex_;
  std::map<PairKey, Record> by_pair_;
  std::map<std::string, Record> by_client_;
  int64_t global_window_start_ = 0;
  int global_failures_ = 0;
};

}  // namespace arkwiki::web
