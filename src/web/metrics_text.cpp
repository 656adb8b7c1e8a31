#include "metrics_text.h"

#include <cstdio>

namespace arkwiki::web {
namespace {

// Integers are written exactly; a double in the shortest form that reads
// back the same (Go's and Prometheus' parsers accept it).
std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void Family(std::string* out, const char* name, const char* type, const char* help) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Sample(std::string* out, const char* name, const std::string& value) {
  out->append(name).append(" ").append(value).append("\n");
}

void Gauge(std::string* out, const char* name, const char* help, const std::string& value) {
  Family(out, name, "gauge", help);
  Sample(out, name, value);
}

void Outcome(std::string* out, const char* name, const char* help, std::optional<bool> passed) {
  Family(out, name, "gauge", help);
  if (passed) Sample(out, name, *passed ? "1" : "0");
}

}  // namespace

namespace {

// One family with a sample per off-site target, labelled target="NAME".
template <typename Value>
void PerTarget(std::string* out, const char* name, const char* type, const char* help,
               const std::vector<OffsiteMetrics>& targets, Value value) {
  if (targets.empty()) return;
  Family(out, name, type, help);
  for (const OffsiteMetrics& t : targets) {
    out->append(name)
        .append("{target=\"")
        .append(EscapeLabelValue(t.target))
        .append("\"} ")
        .append(value(t))
        .append("\n");
  }
}

void OffsiteText(std::string* out, const std::vector<OffsiteMetrics>& targets) {
  PerTarget(out, "arkwiki_offsite_last_success_timestamp_seconds", "gauge",
            "Unix time of the last successful copy to the off-site target; 0 if none.", targets,
            [](const OffsiteMetrics& t) { return std::to_string(t.last_success_time); });
  PerTarget(out, "arkwiki_offsite_newest_copy_timestamp_seconds", "gauge",
            "Creation time of the newest restore point on the off-site target; 0 if none known.",
            targets, [](const OffsiteMetrics& t) { return std::to_string(t.newest_copy_time); });
  PerTarget(out, "arkwiki_offsite_failures_total", "counter",
            "Copies to the off-site target that failed since the server started.", targets,
            [](const OffsiteMetrics& t) { return std::to_string(t.failures_total); });
  PerTarget(out, "arkwiki_offsite_sent_bytes_total", "counter",
            "Encrypted bytes sent to the off-site target since the server started.", targets,
            [](const OffsiteMetrics& t) { return std::to_string(t.bytes_sent_total); });
  PerTarget(out, "arkwiki_offsite_healthy", "gauge",
            "1 if the off-site target's copies are ok (or pending), 0 if failing or stale.",
            targets, [](const OffsiteMetrics& t) { return std::string(t.healthy ? "1" : "0"); });
}

}  // namespace

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MetricsText(const BackupMetrics& m) {
  std::string out;
  Family(&out, "arkwiki_info", "gauge", "Version and instance of this arkwiki server.");
  out.append("arkwiki_info{version=\"")
      .append(EscapeLabelValue(m.version))
      .append("\",instance=\"")
      .append(EscapeLabelValue(m.instance))
      .append("\"} 1\n");
  Gauge(&out, "arkwiki_backup_last_success_timestamp_seconds",
        "Unix time of the last successful backup; 0 if none.", std::to_string(m.last_success_time));
  Gauge(&out, "arkwiki_backup_last_duration_seconds", "Duration of the last successful backup.",
        Number(m.last_duration_seconds));
  Gauge(&out, "arkwiki_backup_last_size_bytes", "Bytes written by the last successful backup.",
        std::to_string(m.last_bytes));
  Family(&out, "arkwiki_backup_failures_total", "counter", "Backups that failed.");
  Sample(&out, "arkwiki_backup_failures_total", std::to_string(m.failures_total));
  Gauge(&out, "arkwiki_backup_last_check_timestamp_seconds",
        "Unix time of the last repository check; 0 if none.", std::to_string(m.last_check_time));
  Outcome(&out, "arkwiki_backup_last_check_success",
          "1 if the last repository check passed, 0 if it failed.", m.last_check_passed);
  Gauge(&out, "arkwiki_backup_last_test_restore_timestamp_seconds",
        "Unix time of the last test restore; 0 if none.", std::to_string(m.last_test_restore_time));
  Outcome(&out, "arkwiki_backup_last_test_restore_success",
          "1 if the last test restore passed, 0 if it failed.", m.last_test_restore_passed);
  Gauge(&out, "arkwiki_backup_snapshots", "Restore points in the repository.",
        std::to_string(m.snapshot_count));
  Gauge(&out, "arkwiki_backup_repository_bytes", "Bytes the repository takes on disk.",
        std::to_string(m.repository_bytes));
  OffsiteText(&out, m.offsite);
  return out;
}

}  // namespace arkwiki::web
