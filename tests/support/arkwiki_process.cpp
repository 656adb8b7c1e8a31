#include "support/arkwiki_process.h"

namespace arkwiki::testing {

CommandResult RunArkwiki(const std::vector<std::string>& args, const std::string& stdin_text,
                         const std::map<std::string, std::string>& env, int64_t time_limit_ms) {
  auto r = process::RunProcess(ARKWIKI_BINARY, args, stdin_text, env, time_limit_ms);
  if (r.ok()) return std::move(*r);
  CommandResult failed;
  failed.err = r.status().message();
  return failed;
}

Result<std::unique_ptr<ServerProcess>> StartServer(const std::string& data_dir,
                                                   const std::map<std::string, std::string>& env) {
  return ServerProcess::Start(ARKWIKI_BINARY, data_dir, data_dir + ".server.log", env);
}

bool LoginWithForm(HttpClient& client, const std::string& name, const std::string& password) {
  const std::string csrf = ExtractCsrf(client.Get("/login").body);
  HttpResponse r =
      client.PostForm("/login", {{"name", name}, {"password", password}, {"csrf", csrf}});
  return r.status == 303 && client.cookies().count("arkwiki_session") > 0;
}

std::string ExtractCsrf(const std::string& html) {
  const std::string marker = R"(name="csrf" value=")";
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
