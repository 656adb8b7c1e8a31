#include "arkwiki/core/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "arkwiki/core/clock.h"

namespace arkwiki {
namespace {

std::mutex& LogMutex() {
  static std::mutex m;
  return m;
}
std::atomic<bool> g_quiet{false};

void Emit(const std::string& line) {
  std::lock_guard<std::mutex> lock(LogMutex());
  std::fputs(line.c_str(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

// Keeps log lines single-line and free of terminal escapes.
std::string Clean(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  return out;
}

}  // namespace

void LogAccess(const std::string& client, const std::string& method, const std::string& uri,
               int status, int64_t bytes, double millis, const std::string& user) {
  char tail[96];
  std::snprintf(tail, sizeof tail, " %d %lld %.1fms", status, static_cast<long long>(bytes),
                millis);
  Emit("access: " + FormatIsoUtc(NowUnixSeconds()) + " " + Clean(client) + " \"" + Clean(method) +
       " " + Clean(uri) + "\"" + tail + " \"" + Clean(user) + "\"");
}

void LogError(const std::string& m) {
  Emit("error: " + FormatIsoUtc(NowUnixSeconds()) + " ERROR " + Clean(m));
}
void LogWarning(const std::string& m) {
  Emit("error: " + FormatIsoUtc(NowUnixSeconds()) + " WARN " + Clean(m));
}
void LogInfo(const std::string& m) {
  if (!g_quiet) Emit("error: " + FormatIsoUtc(NowUnixSeconds()) + " INFO " + Clean(m));
}
void SetLogQuiet(bool quiet) { g_quiet = quiet; }

}  // namespace arkwiki
