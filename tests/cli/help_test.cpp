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

// The off-site forms of a repository subcommand answer with the off-site
// help, which names the flags they take; the overview names them too.
TEST(HelpTest, TheOffsiteFormsAnswerWithTheOffsiteHelp) {
  ExpectHelp({"backup", "copy"}, "usage: arkwiki backup copy");
  ExpectHelp({"backup", "snapshots", "--from", "/nowhere"}, "usage: arkwiki backup copy");
  ExpectHelp({"backup", "check", "--target", "/nowhere"}, "usage: arkwiki backup copy");
  CommandResult r = RunArkwiki({"backup", "--help"});
  EXPECT_NE(r.out.find("copy, snapshots --from"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[--quiet]"), std::string::npos) << r.out;
}

// Each subcommand takes one of --to, --from and --target for an off-site
// target; another was ignored, and the command worked on the local
// repository and exited 0.
TEST(HelpTest, AnOffsiteFlagASubcommandDoesNotTakeIsAUsageError) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"backup", "snapshots", "--target", "/nowhere"},
        std::vector<std::string>{"backup", "check", "--from", "/nowhere"},
        std::vector<std::string>{"backup", "prune", "--to", "/nowhere"},
        std::vector<std::string>{"backup", "copy", "--target", "/nowhere"},
        std::vector<std::string>{"backup", "snapshot", "--to", "/nowhere"},
        std::vector<std::string>{"backup", "restore", "--target", "/nowhere"}}) {
    CommandResult r = RunArkwiki(args);
    EXPECT_EQ(r.exit_code, 2) << args[1] << " " << args[2] << ": " << r.err;
    EXPECT_NE(r.err.find("takes no " + args[2]), std::string::npos) << r.err;
  }
}

TEST(HelpTest, NoCommandIsAUsageErrorOnStandardError) {
  CommandResult r = RunArkwiki({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("usage: arkwiki"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace arkwiki::testing
