#include "support/server_process.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "arkwiki/core/url.h"

namespace arkwiki::testing {
namespace {

std::string ReadAll(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<char*> MakeArgv(const std::vector<std::string>& args, std::vector<std::string>* keep) {
  keep->clear();
  keep->push_back(ARKWIKI_BINARY);
  keep->insert(keep->end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : *keep) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

void ApplyEnv(const std::map<std::string, std::string>& env) {
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
}

}  // namespace

CommandResult RunArkwiki(const std::vector<std::string>& args, const std::string& stdin_text,
                         const std::map<std::string, std::string>& env) {
  char in_path[] = "/tmp/arkwiki-stdin-XXXXXX", out_path[] = "/tmp/arkwiki-out-XXXXXX",
       err_path[] = "/tmp/arkwiki-err-XXXXXX";
  int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
  if (::write(in_fd, stdin_text.data(), stdin_text.size()) < 0) return {};
  ::lseek(in_fd, 0, SEEK_SET);
  std::vector<std::string> keep;
  std::vector<char*> argv = MakeArgv(args, &keep);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ApplyEnv(env);
    ::execv(ARKWIKI_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  ::lseek(out_fd, 0, SEEK_SET);
  ::lseek(err_fd, 0, SEEK_SET);
  r.out = ReadAll(out_fd);
  r.err = ReadAll(err_fd);
  for (int fd : {in_fd, out_fd, err_fd}) ::close(fd);
  for (const char* p : {in_path, out_path, err_path}) ::unlink(p);
  return r;
}

ServerProcess::ServerProcess(const std::string& data_dir,
                             const std::map<std::string, std::string>& env) {
  std::string parent = data_dir.substr(0, data_dir.find_last_of('/'));
  log_path_ = parent + "/server-" + std::to_string(::getpid()) + "-" +
              std::to_string(reinterpret_cast<uintptr_t>(this) & 0xffff) + ".log";
  std::string port_file = log_path_ + ".port";
  ::unlink(port_file.c_str());
  std::vector<std::string> keep;
  std::vector<char*> argv = MakeArgv(
      {"serve", "--data", data_dir, "--listen", "127.0.0.1:0", "--port-file", port_file}, &keep);
  pid_ = ::fork();
  if (pid_ == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 2);
    ApplyEnv(env);
    ::execv(ARKWIKI_BINARY, argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    std::string text = Slurp(port_file);
    if (!text.empty()) {
      port_ = std::atoi(text.c_str());
      break;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

ServerProcess::~ServerProcess() { Stop(); }

std::string ServerProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string ServerProcess::log() const { return Slurp(log_path_); }

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

static long StatusField(pid_t pid, const std::string& field) {
  std::istringstream in(Slurp("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

long ServerProcess::RssKiB() const { return StatusField(pid_, "VmRSS"); }
long ServerProcess::PeakRssKiB() const { return StatusField(pid_, "VmHWM"); }

std::string HttpResponse::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& content_type,
                                 const std::map<std::string, std::string>& headers) {
  HttpResponse out;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(120, 0));
    Poco::Net::HTTPRequest rq(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!bearer_.empty()) rq.set("Authorization", "Bearer " + bearer_);
    if (!cookies_.empty()) {
      Poco::Net::NameValueCollection jar;
      for (const auto& [k, v] : cookies_) jar.add(k, v);
      rq.setCookies(jar);
    }
    for (const auto& [k, v] : headers) rq.set(k, v);
    if (!content_type.empty()) rq.setContentType(content_type);
    if (!body.empty() || method == "POST" || method == "PUT") {
      rq.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    session.sendRequest(rq) << body;
    Poco::Net::HTTPResponse rs;
    std::istream& in = session.receiveResponse(rs);
    Poco::StreamCopier::copyToString(in, out.body);
    out.status = rs.getStatus();
    for (const auto& [k, v] : rs) {
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "set-cookie") {
        out.set_cookies.push_back(v);
        std::string pair = v.substr(0, v.find(';'));
        size_t eq = pair.find('=');
        std::string value = pair.substr(eq + 1);
        if (value.empty()) {
          cookies_.erase(pair.substr(0, eq));
        } else {
          cookies_[pair.substr(0, eq)] = value;
        }
      }
      out.headers[lower] = v;
    }
  } catch (const Poco::Exception& e) {
    out.status = -1;
    out.body = e.displayText();
  }
  return out;
}

HttpResponse HttpClient::PostForm(const std::string& path,
                                  const std::map<std::string, std::string>& form) {
  std::string body;
  for (const auto& [k, v] : form) {
    body += (body.empty() ? "" : "&") + UrlEncodeComponent(k) + "=" + UrlEncodeComponent(v);
  }
  return Request("POST", path, body, "application/x-www-form-urlencoded");
}

bool HttpClient::Login(const std::string& name, const std::string& password) {
  HttpResponse page = Get("/login");
  std::string csrf = ExtractCsrf(page.body);
  HttpResponse r = PostForm("/login", {{"name", name}, {"password", password}, {"csrf", csrf}});
  return r.status == 303 && cookies_.count("arkwiki_session") > 0;
}

std::string HttpClient::ExtractCsrf(const std::string& html) {
  const std::string marker = "name=\"csrf\" value=\"";
  size_t pos = html.find(marker);
  if (pos == std::string::npos) return "";
  pos += marker.size();
  return html.substr(pos, html.find('"', pos) - pos);
}

std::string MultipartBody(const std::string& boundary, const std::string& field,
                          const std::string& filename, const std::string& content) {
  return "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field +
         "\"; filename=\"" + filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" +
         content + "\r\n--" + boundary + "--\r\n";
}

}  // namespace arkwiki::testing
