// A fresh data directory with an admin, an editor and a reader (made with
// the CLI), an API token for each, and a running server.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "support/arkwiki_process.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {

class WikiServerTest : public ::testing::Test {
 protected:
  static constexpr char kPassword[] = "correct horse battery";

  void SetUp() override {
    data_ = dir_.Sub("data");
    for (const char* role : {"admin", "editor", "reader"}) {
      auto add = RunArkwiki(
          {"user", "add", "--data", data_, "--name", role, "--role", role, "--password-stdin"},
          std::string(kPassword) + "\n");
      ASSERT_EQ(add.exit_code, 0) << add.err;
      auto token = RunArkwiki({"token", "create", "--data", data_, "--user", role});
      ASSERT_EQ(token.exit_code, 0) << token.err;
      tokens_[role] = token.out.substr(0, token.out.find('\n'));
    }
    auto server = StartServer(data_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  // Stops the server and starts it again with `config_text` as its
  // configuration file.
  void RestartWithConfig(const std::string& config_text) {
    ASSERT_EQ(server_->Stop(), 0);
    const std::string config = dir_.Sub("arkwiki.conf");
    std::ofstream(config) << config_text;
    auto server = StartServer(data_, {{"ARKWIKI_CONFIG", config}});
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server);
  }

  HttpClient Client(const std::string& role = "") {
    HttpClient c(server_->port());
    if (!role.empty()) c.set_token(tokens_[role]);
    return c;
  }

  HttpResponse PutPage(const std::string& role, const std::string& slug, const std::string& json) {
    return Client(role).Request("PUT", "/api/pages/" + slug, json, "application/json");
  }

  TempDir dir_;
  std::string data_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace arkwiki::testing
