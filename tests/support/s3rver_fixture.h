// A real S3 protocol server for tests: s3rver (npm, installed into
// tests/s3rver/node_modules by ci/deps.sh test) on a free loopback port,
// with its own data directory and one bucket, its signature check on. It
// stops when the object dies.
//
// Where Node.js or s3rver is missing, Start fails with kUnsupported and a
// message saying how to install them; tests then skip
// (ARKWIKI_SKIP_WITHOUT_S3RVER). Under CI=true the same absence is kIoError,
// and the tests fail instead.
#pragma once

#include <memory>
#include <string>

#include "arkwiki/core/status.h"
#include "arkwiki/process/child_process.h"

namespace arkwiki::testing {

class S3rverProcess {
 public:
  inline static const std::string kAccessKey = "S3RVER";  // s3rver's built-in account
  inline static const std::string kSecretKey = "S3RVER";

  // Stores under `work_dir`, created if missing (data/, the port file and
  // the log). With `tls_cert` and `tls_key` (PEM files) it speaks HTTPS.
  static Result<std::unique_ptr<S3rverProcess>> Start(const std::string& work_dir,
                                                      const std::string& bucket,
                                                      const std::string& tls_cert = "",
                                                      const std::string& tls_key = "");
  ~S3rverProcess();

  int port() const { return port_; }
  std::string endpoint() const {
    return (https_ ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_);
  }
  // s3rver's storage directory (one subdirectory per bucket).
  const std::string& data_dir() const { return data_dir_; }

 private:
  S3rverProcess() = default;
  std::unique_ptr<process::ChildProcess> child_;
  int port_ = 0;
  bool https_ = false;
  std::string data_dir_;
};

}  // namespace arkwiki::testing

// In a test body: starts s3rver (Start's arguments) into `var`, skipping the test when it is
// not installed (outside CI), failing it on any other error.
#define ARKWIKI_START_S3RVER_OR_SKIP(var, ...)                                \
  auto var##_started = ::arkwiki::testing::S3rverProcess::Start(__VA_ARGS__); \
  if (!var##_started.ok() &&                                                  \
      var##_started.status().code() == ::arkwiki::StatusCode::kUnsupported) { \
    GTEST_SKIP() << var##_started.status().message();                         \
  }                                                                           \
  ASSERT_TRUE(var##_started.ok()) << var##_started.status().ToString();       \
  auto var = std::move(var##_started).value()
