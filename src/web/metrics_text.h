// Backup gauges in the Prometheus text exposition format (version 0.0.4),
// served by GET /metrics.
//
//   arkwiki_info{version,instance}                       1
//   arkwiki_backup_last_success_timestamp_seconds        gauge, 0 = never
//   arkwiki_backup_last_duration_seconds                 gauge
//   arkwiki_backup_last_size_bytes                       gauge
//   arkwiki_backup_failures_total                        counter
//   arkwiki_backup_last_check_timestamp_seconds          gauge, 0 = never
//   arkwiki_backup_last_check_success                    gauge 1/0; absent = never
//   arkwiki_backup_last_test_restore_timestamp_seconds   gauge, 0 = never
//   arkwiki_backup_last_test_restore_success             gauge 1/0; absent = never
//   arkwiki_backup_snapshots                             gauge
//   arkwiki_backup_repository_bytes                      gauge
// and, per off-site target (label target="NAME"; absent when none is set):
//   arkwiki_offsite_last_success_timestamp_seconds       gauge, 0 = never
//   arkwiki_offsite_newest_copy_timestamp_seconds        gauge, 0 = none known
//   arkwiki_offsite_failures_total                       counter (since start)
//   arkwiki_offsite_sent_bytes_total                     counter (since start)
//   arkwiki_offsite_healthy                              gauge 1/0 (0: failing or stale)
//
// Each family has one HELP and one TYPE line before its sample; label values
// escape '\', '"' and newline, HELP text '\' and newline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace arkwiki::web {

inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct OffsiteMetrics {
  std::string target;
  int64_t last_success_time = 0;
  int64_t newest_copy_time = 0;
  uint64_t failures_total = 0;
  uint64_t bytes_sent_total = 0;
  bool healthy = true;
};

struct BackupMetrics {
  std::string version;
  std::string instance;
  int64_t last_success_time = 0;  // Unix seconds; 0 = never
  double last_duration_seconds = 0;
  uint64_t last_bytes = 0;
  uint64_t failures_total = 0;
  int64_t last_check_time = 0;
  std::optional<bool> last_check_passed;
  int64_t last_test_restore_time = 0;
  std::optional<bool> last_test_restore_passed;
  uint64_t snapshot_count = 0;
  uint64_t repository_bytes = 0;
  std::vector<OffsiteMetrics> offsite;
};

std::string MetricsText(const BackupMetrics& m);

// A label value with '\', '"' and newline escaped, as the format requires.
std::string EscapeLabelValue(const std::string& value);

}  // namespace arkwiki::web
