#include "load/server_timings.h"

#include <cstdio>
#include <fstream>

namespace arkwiki::load {
namespace {

constexpr char kMarker[] = "slow request: ";

// Reads the figures after "<status> took"; false if the line has another
// shape.
bool ParseTimes(const std::string& rest, SlowRequestTimes* t) {
  const size_t took = rest.find(" took ");
  if (took == std::string::npos) return false;
  double total = 0, queued = 0, handling = 0, db = 0, cpu = 0;
  const int n = std::sscanf(rest.c_str() + took,
                            " took %lf ms: %lf ms queued for a worker, %lf ms handling it "
                            "(%lf ms waiting for a database connection, %lf ms on the CPU)",
                            &total, &queued, &handling, &db, &cpu);
  if (n != 5) return false;
  ++t->count;
  t->total_ms += total;
  t->queued_ms += queued;
  t->db_wait_ms += db;
  t->cpu_ms += cpu;
  return true;
}

}  // namespace

SlowRequestTimes ReadSlowRequests(const std::string& log_path, const std::string& prefix) {
  SlowRequestTimes t;
  std::ifstream in(log_path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t at = line.find(kMarker);
    if (at == std::string::npos) continue;
    const std::string rest = line.substr(at + sizeof kMarker - 1);
    if (rest.compare(0, prefix.size(), prefix) == 0) (void)ParseTimes(rest, &t);
  }
  return t;
}

std::string DescribeSlowRequests(const SlowRequestTimes& t) {
  if (t.count == 0 || t.total_ms <= 0) return "none";
  const double other = t.total_ms - t.queued_ms - t.db_wait_ms - t.cpu_ms;
  char line[240];
  std::snprintf(line, sizeof line,
                "%lld, %.0f ms in all: %.0f%% queued for a worker, %.0f%% waiting for a "
                "database connection, %.0f%% on the CPU, %.0f%% runnable but not running "
                "or waiting for I/O",
                static_cast<long long>(t.count), t.total_ms, 100 * t.queued_ms / t.total_ms,
                100 * t.db_wait_ms / t.total_ms, 100 * t.cpu_ms / t.total_ms,
                100 * other / t.total_ms);
  return line;
}

}  // namespace arkwiki::load
