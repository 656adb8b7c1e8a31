// Logs go to stderr, one line each, so a supervisor (systemd, docker) can
// collect them. The access log and the error log are told apart by a prefix.
//   access: <iso-time> <client> "<method> <uri>" <status> <bytes> <ms>ms "<user>"
//   error:  <iso-time> <level> <message>
#pragma once

#include <cstdint>
#include <string>

namespace arkwiki {

void LogAccess(const std::string& client, const std::string& method, const std::string& uri,
               int status, int64_t bytes, double millis, const std::string& user);
void LogError(const std::string& message);
void LogWarning(const std::string& message);
void LogInfo(const std::string& message);
// Tests silence info lines; errors always print.
void SetLogQuiet(bool quiet);

}  // namespace arkwiki
