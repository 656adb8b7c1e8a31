#include "support/s3rver_fixture.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "arkwiki/core/env.h"

namespace arkwiki::testing {
namespace {

const char kSetupHint[] =
    "; install Node.js 20+ and run `ci/deps.sh test` (npm ci in tests/s3rver)";

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

Status Missing(const std::string& what) {
  const char* ci = std::getenv("CI");
  const std::string message = what + kSetupHint;
  if (ci != nullptr && std::string(ci) == "true") return Status::IoError("CI=true: " + message);
  return Status::Unsupported("s3rver tests skipped: " + message);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

Result<std::unique_ptr<S3rverProcess>> S3rverProcess::Start(const std::string& work_dir,
                                                            const std::string& bucket,
                                                            const std::string& tls_cert,
                                                            const std::string& tls_key) {
  const std::string node = FindOnPath("node");
  if (node.empty()) return Missing("node is not on PATH");
  const std::string dir = std::string(ARKWIKI_SOURCE_DIR) + "/tests/s3rver";
  if (::access((dir + "/node_modules/s3rver/package.json").c_str(), R_OK) != 0) {
    return Missing("s3rver is not installed in " + dir + "/node_modules");
  }
  ARKWIKI_RETURN_IF_ERROR(Env::Default()->CreateDirs(work_dir));
  std::unique_ptr<S3rverProcess> server(new S3rverProcess());
  server->data_dir_ = work_dir + "/s3rver-data";
  const std::string port_file = work_dir + "/s3rver.port";
  const std::string log = work_dir + "/s3rver.log";
  // s3rver 3.7 makes ListObjectsV2 continuation tokens with DES, which
  // Node 17+ (OpenSSL 3) offers only through the legacy provider.
  std::vector<std::string> args = {"--openssl-legacy-provider", dir + "/start.js",
                                   server->data_dir_, port_file, bucket};
  if (!tls_cert.empty()) {
    args.push_back(tls_cert);
    args.push_back(tls_key);
    server->https_ = true;
  }
  ARKWIKI_ASSIGN_OR_RETURN(server->child_, process::ChildProcess::Start(node, args, {}, log, log));
  // s3rver writes the port file once it listens and the bucket exists.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string port = ReadAll(port_file);
    if (!port.empty()) {
      server->port_ = std::stoi(port);
      return server;
    }
    int exit_code = 0;
    if (server->child_->Poll(&exit_code)) {
      return Status::IoError("s3rver exited with " + std::to_string(exit_code) + ": " +
                             ReadAll(log));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::IoError("s3rver did not start within 30 s: " + ReadAll(log));
}

S3rverProcess::~S3rverProcess() {
  if (child_ == nullptr) return;
  int exit_code = 0;
  if (!child_->Poll(&exit_code)) {
    child_->Signal(SIGTERM);
    child_->Wait();
  }
}

}  // namespace arkwiki::testing
