// Test helpers that use arkwiki the way its users do: the `arkwiki` binary
// as a child process, and its HTTP interface over a real socket.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace arkwiki::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the arkwiki binary with `args`, feeding `stdin_text`, and waits.
CommandResult RunArkwiki(const std::vector<std::string>& args, const std::string& stdin_text = "",
                         const std::map<std::string, std::string>& env = {});

// A running `arkwiki serve` on an ephemeral loopback port. Its stderr goes
// to a log file in the data directory's parent. The destructor sends
// SIGTERM and waits.
class ServerProcess {
 public:
  ServerProcess(const std::string& data_dir, const std::map<std::string, std::string>& env = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const;
  std::string log() const;
  // Sends SIGTERM and returns the exit status (waitpid raw status decoded).
  int Stop();
  void Kill();  // SIGKILL, no wait for graceful shutdown
  // Resident set size in KiB (VmRSS) and its peak (VmHWM).
  long RssKiB() const;
  long PeakRssKiB() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
  std::vector<std::string> set_cookies;
  std::string Header(const std::string& name) const;
};

// A minimal HTTP/1.1 client over Poco::Net with a cookie jar.
class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  HttpResponse Request(const std::string& method, const std::string& path,
                       const std::string& body = "", const std::string& content_type = "",
                       const std::map<std::string, std::string>& headers = {});
  HttpResponse Get(const std::string& path) { return Request("GET", path); }
  // Posts an urlencoded form.
  HttpResponse PostForm(const std::string& path, const std::map<std::string, std::string>& form);
  // Logs in through the HTML form (fetching the login CSRF cookie first).
  bool Login(const std::string& name, const std::string& password);
  // The CSRF token embedded in a page's forms (name="csrf" value="...").
  static std::string ExtractCsrf(const std::string& html);
  void set_bearer(const std::string& token) { bearer_ = token; }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  int port_;
  std::string bearer_;
  std::map<std::string, std::string> cookies_;
};

std::string MultipartBody(const std::string& boundary, const std::string& field,
                          const std::string& filename, const std::string& content);

}  // namespace arkwiki::testing
