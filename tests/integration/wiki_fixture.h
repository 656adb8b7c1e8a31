// A fresh data directory with an admin, an editor and a reader, an API
// token for each, and a running server.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>

#include "arkwiki/storage/audit_log.h"
#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {

class WikiServerTest : public ::testing::Test {
 protected:
  static constexpr char kPassword[] = "correct horse battery";

  void SetUp() override {
    data_ = dir_.Sub("data");
    // The rows and audit entries `arkwiki user add` and `arkwiki token
    // create` would write, made in this process: six child processes and
    // three argon2 hashes fewer for every test (the password hashes come
    // from support/known_password_hashes.h). tests/cli runs those commands.
    // Owner-only, as the arkwiki binary makes everything (it sets this
    // umask at start).
    const mode_t umask_before = ::umask(077);
    {
      auto storage = Storage::Open(Env::Default(), data_);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      for (const char* role : {"admin", "editor", "reader"}) {
        auto user = (*storage)->users().Create(role, kPassword, ParseRole(role).value());
        ASSERT_TRUE(user.ok()) << user.status().ToString();
        ASSERT_TRUE((*storage)
                        ->audit()
                        .Append("cli", AuditKind::kUserAdd, std::string(role) + " as " + role)
                        .ok());
        auto token = (*storage)->users().CreateApiToken(user->id, "cli");
        ASSERT_TRUE(token.ok()) << token.status().ToString();
        ASSERT_TRUE((*storage)->audit().Append("cli", AuditKind::kTokenCreate, role).ok());
        tokens_[role] = *token;
      }
    }
    ::umask(umask_before);
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
