#include "load/load_log.h"

#include <algorithm>
#include <cmath>

namespace arkwiki::load {

void LoadLog::Record(const std::string& kind, double ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto [it, added] = ms_.try_emplace(kind);
  if (added) order_.push_back(kind);
  it->second.push_back(ms);
}

void LoadLog::Fail(const std::string& kind, const std::string& what) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++failures_[kind];
  ++total_failures_;
  if (first_failures_.size() < kKeptFailures) first_failures_.push_back(kind + ": " + what);
}

void LoadLog::Count(const std::string& what, int64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  counts_[what] += n;
}

void LoadLog::Peak(const std::string& what, int64_t n) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t& peak = counts_[what];
  peak = std::max(peak, n);
}

LatencySummary LoadLog::Summary(const std::string& kind) const {
  std::vector<double> ms;
  LatencySummary s;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = ms_.find(kind); it != ms_.end()) ms = it->second;
    if (auto it = failures_.find(kind); it != failures_.end()) s.failures = it->second;
  }
  s.count = static_cast<int64_t>(ms.size());
  s.p50_ms = Percentile(ms, 50);
  s.p99_ms = Percentile(ms, 99);
  s.max_ms = ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end());
  return s;
}

int64_t LoadLog::Counted(const std::string& what) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = counts_.find(what);
  return it == counts_.end() ? 0 : it->second;
}

int64_t LoadLog::failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return total_failures_;
}

std::vector<std::string> LoadLog::kinds() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return order_;
}

std::vector<std::string> LoadLog::first_failures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return first_failures_;
}

std::map<std::string, int64_t> LoadLog::counts() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counts_;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

}  // namespace arkwiki::load
