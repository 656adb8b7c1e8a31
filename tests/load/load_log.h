// LoadLog: what the load test's clients saw, shared by all their threads.
// Each kind of request keeps its latencies and a count of unexpected
// failures; the first failures are kept word for word for the report.
// Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace arkwiki::load {

struct LatencySummary {
  int64_t count = 0;
  int64_t failures = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

class LoadLog {
 public:
  // One request of `kind` that took `ms` (answered or not).
  void Record(const std::string& kind, double ms);
  // A request of `kind` that ended in anything but a documented outcome.
  void Fail(const std::string& kind, const std::string& what);
  // An outcome worth counting that is neither a latency nor a failure
  // ("search 409 busy", "slowloris closed by server").
  void Count(const std::string& what, int64_t n = 1);
  // Keeps the largest `n` seen under `what` (reported with the counts).
  void Peak(const std::string& what, int64_t n);

  LatencySummary Summary(const std::string& kind) const;
  int64_t Counted(const std::string& what) const;
  int64_t failures() const;
  std::vector<std::string> kinds() const;  // in order of first record
  std::vector<std::string> first_failures() const;
  std::map<std::string, int64_t> counts() const;

 private:
  static constexpr size_t kKeptFailures = 20;
  mutable std::mutex mutex_;
  std::vector<std::string> order_;
  std::map<std::string, std::vector<double>> ms_;
  std::map<std::string, int64_t> failures_;
  std::map<std::string, int64_t> counts_;
  std::vector<std::string> first_failures_;
  int64_t total_failures_ = 0;
};

// The nearest-rank percentile `p` (0..100) of `values`; 0 when empty.
double Percentile(std::vector<double> values, double p);

}  // namespace arkwiki::load
