// The CLI as a process: help, exit codes, one-line errors.
#include "arkwiki/core/env.h"
#include "support/arkwiki_process.h"
#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

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

// Two wikis on one port would have the kernel share the clients between
// them: the second server is refused, exit 4 (the machine, not the command).
TEST(CliTest, ASecondServerOnAPortInUseIsRefused) {
  TempDir dir;
  auto first = StartServer(dir.Sub("one"));
  ASSERT_TRUE(first.ok()) << first.status().message();
  const std::string listen = "127.0.0.1:" + std::to_string((*first)->port());
  // A limit only so that a regression (a second server that starts) fails
  // instead of hanging: a refusal ends at once.
  CommandResult second =
      RunArkwiki({"serve", "--data", dir.Sub("two"), "--listen", listen}, "", {}, 300'000);
  EXPECT_FALSE(second.timed_out) << "the second server started";
  EXPECT_EQ(second.exit_code, 4) << second.err;
  EXPECT_NE(second.err.find("cannot listen on " + listen), std::string::npos) << second.err;
  HttpClient c((*first)->port());
  EXPECT_EQ(c.Get("/login").status, 200);
}

// A command without --data finds the data directory as `serve` does; a
// config file that `serve` refuses is refused here too, never replaced by
// ./arkwiki-data (where `user add` would make an admin of another wiki).
TEST(CliTest, ACommandWithoutDataRefusesAConfigFileServeRefuses) {
  TempDir dir;
  const std::string config = dir.Sub("arkwiki.conf");
  std::ofstream(config) << "data = " << dir.Sub("wiki") << "\nthreads = 0\n";
  const std::map<std::string, std::string> env{{"ARKWIKI_CONFIG", config}};
  CommandResult serve = RunArkwiki({"serve"}, "", env, 300'000);  // a bound, as above
  EXPECT_FALSE(serve.timed_out) << "serve started";
  EXPECT_EQ(serve.exit_code, 2) << serve.err;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"token", "list"},
        std::vector<std::string>{"user", "add", "--name", "ann", "--role", "admin",
                                 "--password-stdin"},
        std::vector<std::string>{"backup", "create", "--out", dir.Sub("b.zip")}}) {
    CommandResult r = RunArkwiki(args, "correct horse\n", env);
    EXPECT_EQ(r.exit_code, serve.exit_code) << args[0] << " " << args[1] << ": " << r.err;
    EXPECT_NE(r.err.find("threads"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(Env::Default()->FileExists(dir.Sub("wiki")).value());
}

// `--data "$DATA"` with DATA unset must not make a wiki in the current
// directory.
TEST(CliTest, AnEmptyDataDirectoryIsAUsageError) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"token", "list", "--data", ""},
        std::vector<std::string>{"backup", "create", "--data", "", "--out", "-"}}) {
    CommandResult r = RunArkwiki(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--data is empty"), std::string::npos) << r.err;
  }
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
