// Test helpers that use arkwiki the way its users do: the `arkwiki` binary
// as a child process, and its HTTP interface over a real socket, through
// the one process starter and HTTP client (arkwiki/process/).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/process/child_process.h"
#include "arkwiki/process/http_client.h"

namespace arkwiki::testing {

using CommandResult = process::ProcessResult;
using HttpClient = process::HttpClient;
using HttpResponse = process::HttpReply;
using ServerProcess = process::ServerProcess;

// Runs the arkwiki binary with `args`, feeding `stdin_text`, and waits. A
// binary that cannot be started gives exit_code -1 and the reason in err.
// `time_limit_ms` > 0 bounds a command that should end by itself but might
// not when broken (`serve` expected to refuse): past it the command is
// killed and the result has `timed_out` set.
CommandResult RunArkwiki(const std::vector<std::string>& args, const std::string& stdin_text = "",
                         const std::map<std::string, std::string>& env = {},
                         int64_t time_limit_ms = 0);

// Starts `arkwiki serve` on `data_dir`; its log goes beside the data
// directory (DATA_DIR.server.log).
Result<std::unique_ptr<ServerProcess>> StartServer(
    const std::string& data_dir, const std::map<std::string, std::string>& env = {});

// Logs in through the HTML form (fetching the login CSRF cookie first);
// true once the session cookie is set.
bool LoginWithForm(HttpClient& client, const std::string& name, const std::string& password);
// The CSRF token embedded in a page's forms (name="csrf" value="...").
std::string ExtractCsrf(const std::string& html);

std::string MultipartBody(const std::string& boundary, const std::string& field,
                          const std::string& filename, const std::string& content);

}  // namespace arkwiki::testing
