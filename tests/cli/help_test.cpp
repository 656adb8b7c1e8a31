// Every command and subcommand answers --help and -h with its usage and
// the exit codes, on standard output, exit 0.
#include <gtest/gtest.h>

#include "support/arkwiki_process.h"

namespace arkwiki::testing {
namespace {

void ExpectHelp(const std::vector<std::string>& args, const std::string& usage) {
  for (const char* flag : {"--help", "-h"}) {
    std::vector<std::string> full = args;
    full.emplace_back(flag);
    CommandResult r = RunArkwiki(full);
    EXPECT_EQ(r.exit_code, 0) << flag << ": " << r.err;
    EXPECT_NE(r.out.find(usage), std::string::npos) << flag << ": " << r.out;
    EXPECT_NE(r.out.find("exit codes:"), std::string::npos) << flag << ": " << r.out;
    EXPECT_NE(r.out.find("4  environment problem"), std::string::npos) << r.out;
  }
}

TEST(HelpTest, TopLevelListsEveryBackupSubcommand) {
  CommandResult r = RunArkwiki({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"backup create", "backup verify", "backup inspect", "backup restore",
                          "backup test-restore"}) {
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub << " missing from\n" << r.out;
  }
  ExpectHelp({}, "usage: arkwiki <command>");
}

TEST(HelpTest, EverySubcommandAnswersHelp) {
  ExpectHelp({"serve"}, "usage: arkwiki serve");
  ExpectHelp({"user", "add"}, "usage: arkwiki user add");
  ExpectHelp({"token", "create"}, "usage: arkwiki token create");
  ExpectHelp({"version"}, "usage: arkwiki version");
  ExpectHelp({"backup"}, "usage: arkwiki backup create");
  ExpectHelp({"backup", "create"}, "usage: arkwiki backup create --data DIR --out FILE|-");
  ExpectHelp({"backup", "verify"}, "usage: arkwiki backup verify FILE");
  ExpectHelp({"backup", "inspect"}, "usage: arkwiki backup inspect FILE");
  ExpectHelp({"backup", "restore"}, "usage: arkwiki backup restore --data DIR FILE --yes");
  ExpectHelp({"backup", "test-restore"}, "usage: arkwiki backup test-restore FILE");
}

TEST(HelpTest, NoCommandIsAUsageErrorOnStandardError) {
  CommandResult r = RunArkwiki({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage: arkwiki"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arkwiki::testing
