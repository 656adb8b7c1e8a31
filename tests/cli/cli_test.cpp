// The CLI as a process: help, exit codes, one-line errors.
#include "support/arkwiki_process.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

namespace arkwiki::testing {
namespace {

TEST(CliTest, EverySubcommandHasHelp) {
  for (std::vector<std::string> args : {std::vector<std::string>{"--help"},
                                        {"serve", "--help"},
                                        {"user", "--help"},
                                        {"user", "add", "--help"},
                                        {"token", "--help"},
                                        {"backup", "--help"}}) {
    CommandResult r = RunArkwiki(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << r.err;
    EXPECT_NE(r.out.find("usage:"), std::string::npos) << args[0];
  }
}

TEST(CliTest, UnknownCommandIsAUsageErrorOnOneLine) {
  CommandResult r = RunArkwiki({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.rfind("arkwiki: error: unknown command 'frobnicate'\n", 0), 0u) << r.err;
}

TEST(CliTest, UserAddValidatesAndRefusesDuplicates) {
  TempDir dir;
  std::string data = dir.Sub("d");
  CommandResult ok = RunArkwiki(
      {"user", "add", "--data", data, "--name", "ann", "--role", "admin", "--password-stdin"},
      "correct horse\n");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  CommandResult dup = RunArkwiki(
      {"user", "add", "--data", data, "--name", "ann", "--role", "admin", "--password-stdin"},
      "correct horse\n");
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_NE(dup.err.find("already exists"), std::string::npos);
  CommandResult weak = RunArkwiki(
      {"user", "add", "--data", data, "--name", "bob", "--role", "editor", "--password-stdin"},
      "short\n");
  EXPECT_NE(weak.exit_code, 0);
  CommandResult role = RunArkwiki(
      {"user", "add", "--data", data, "--name", "bob", "--role", "root", "--password-stdin"},
      "correct horse\n");
  EXPECT_EQ(role.exit_code, 2);
  CommandResult no_stdin =
      RunArkwiki({"user", "add", "--data", data, "--name", "bob", "--role", "editor"});
  EXPECT_EQ(no_stdin.exit_code, 2);
}

TEST(CliTest, TokenCreatePrintsAWorkingToken) {
  TempDir dir;
  std::string data = dir.Sub("d");
  ASSERT_EQ(RunArkwiki({"user", "add", "--data", data, "--name", "ann", "--role", "admin",
                        "--password-stdin"},
                       "correct horse\n")
                .exit_code,
            0);
  CommandResult token = RunArkwiki({"token", "create", "--data", data, "--user", "ann"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  auto server = StartServer(data);
  ASSERT_TRUE(server.ok()) << server.status().message();
  HttpClient c((*server)->port());
  c.set_token(token.out.substr(0, token.out.find('\n')));
  EXPECT_EQ(c.Get("/api/settings").status, 200);
  CommandResult missing = RunArkwiki({"token", "create", "--data", data, "--user", "nobody"});
  EXPECT_NE(missing.exit_code, 0);
}

TEST(CliTest, SecondServerOnSameDataDirectoryIsRefused) {
  TempDir dir;
  std::string data = dir.Sub("d");
  auto first = StartServer(data);
  ASSERT_TRUE(first.ok()) << first.status().message();
  CommandResult second = RunArkwiki({"serve", "--data", data, "--listen", "127.0.0.1:0"});
  EXPECT_EQ(second.exit_code, 4);
  EXPECT_NE(second.err.find("in use"), std::string::npos) << second.err;
}

TEST(CliTest, EnvironmentVariablesConfigureServe) {
  TempDir dir;
  CommandResult r =
      RunArkwiki({"serve", "--listen", "nonsense"}, "", {{"ARKWIKI_DATA", dir.Sub("d")}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arkwiki::testing
