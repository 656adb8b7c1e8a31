// Where the server says slow requests spent their time: its "slow request:"
// log lines (docs/operations.md), read from the server log after a run.
#pragma once

#include <cstdint>
#include <string>

namespace arkwiki::load {

// Sums over the slow requests of one kind, in milliseconds.
struct SlowRequestTimes {
  int64_t count = 0;
  double total_ms = 0;
  double queued_ms = 0;   // waiting for a worker thread
  double db_wait_ms = 0;  // waiting for a database connection
  double cpu_ms = 0;      // on the CPU
};

// The slow requests logged in `log_path` whose "METHOD URI" begins with
// `prefix` (such as "GET /wiki/page-"). A log that cannot be read gives
// count 0.
SlowRequestTimes ReadSlowRequests(const std::string& log_path, const std::string& prefix);

// One line for the report: the count and each part's share of the total.
std::string DescribeSlowRequests(const SlowRequestTimes& t);

}  // namespace arkwiki::load
