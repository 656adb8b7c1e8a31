#include "request_lane.h"

#include <array>

namespace arkwiki::web {
namespace {

struct LongRoute {
  std::string_view method;
  std::string_view pattern;  // "{}" matches one path segment
};

// The routes of routes.cpp that may hold a worker for seconds (POST /setup
// reads every record of an off-site target; /setup/restore fetches and
// restores a whole restore point). Keep in step
// with RegisterRoutes (docs/api.md, "Worker lanes").
constexpr std::array<LongRoute, 21> kLongRoutes{{
    {"GET", "/api/search"},
    {"GET", "/search"},
    {"POST", "/api/backups"},
    {"POST", "/api/backups/verify"},
    {"POST", "/settings/backup/create"},
    {"GET", "/api/restore-points/{}/archive"},
    {"GET", "/settings/backup/points/{}/archive"},
    {"POST", "/api/restore"},
    {"POST", "/settings/backup/import"},
    {"POST", "/api/restore-points"},
    {"POST", "/settings/backup/points"},
    {"POST", "/api/restore-points/{}/check"},
    {"POST", "/settings/backup/points/{}/check"},
    {"POST", "/api/restore-points/{}/restore"},
    {"POST", "/settings/backup/points/{}/restore"},
    {"POST", "/api/backup-test-restore"},
    {"POST", "/settings/backup/test-restore"},
    {"POST", "/api/pages/{}/uploads"},
    {"POST", "/wiki/{}/uploads"},
    {"POST", "/setup"},
    {"POST", "/setup/restore"},
}};

// Splits off the first '/'-separated segment of `*path` (which starts
// after a '/'), leaving the rest.
std::string_view NextSegment(std::string_view* path) {
  const size_t slash = path->find('/');
  const std::string_view segment = path->substr(0, slash);
  *path = slash == std::string_view::npos ? std::string_view() : path->substr(slash + 1);
  return segment;
}

bool PathMatches(std::string_view pattern, std::string_view path) {
  if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
  pattern.remove_prefix(1);
  path.remove_prefix(1);
  for (;;) {
    const bool pattern_done = pattern.empty();
    const bool path_done = path.empty();
    if (pattern_done || path_done) return pattern_done && path_done;
    const std::string_view want = NextSegment(&pattern);
    const std::string_view got = NextSegment(&path);
    if (want == "{}" ? got.empty() : want != got) return false;
  }
}

}  // namespace

Lane LaneOf(std::string_view method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  for (const LongRoute& route : kLongRoutes) {
    if (route.method == method && PathMatches(route.pattern, path)) return Lane::kLong;
  }
  return Lane::kView;
}

Lane LaneOfHead(std::string_view head) {
  const std::string_view line = head.substr(0, head.find_first_of("\r\n"));
  const size_t method_end = line.find(' ');
  if (method_end == std::string_view::npos) return Lane::kView;
  const std::string_view rest = line.substr(method_end + 1);
  return LaneOf(line.substr(0, method_end), rest.substr(0, rest.find(' ')));
}

const char* LaneName(Lane lane) { return lane == Lane::kLong ? "long" : "view"; }

}  // namespace arkwiki::web
