#include "arkwiki/core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace arkwiki {

int64_t NowUnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t NowUnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

static std::string Format(int64_t t, const char* fmt) {
  auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string FormatIsoUtc(int64_t t) { return Format(t, "%Y-%m-%dT%H:%M:%SZ"); }
std::string FormatFileStampUtc(int64_t t) { return Format(t, "%Y-%m-%dT%H%M%SZ"); }

int64_t ParseIsoUtc(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      static_cast<size_t>(consumed) != text.size()) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

uint64_t WholeMillis(std::chrono::steady_clock::duration d) {
  const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return ms > 0 ? static_cast<uint64_t>(ms) : 0;
}

uint64_t MillisSince(std::chrono::steady_clock::time_point start) {
  return WholeMillis(std::chrono::steady_clock::now() - start);
}

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace arkwiki
