// Every documented exit code, from a process, for each backup subcommand:
// 0 ok, 1 not found, 2 usage, 3 archive rejected, 4 environment problem.
// Tests may run as root, where permission bits stop nothing: code 4 comes
// from a path whose parent is a regular file, or a data directory in use.
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>

#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

class ExitCodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeedWikiAt(data_);
    CommandResult created =
        RunArkwiki({"backup", "create", "--data", data_, "--out", archive_, "--quiet"});
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(created.err, "");
    std::ofstream(garbage_) << "this is not a zip archive, not even close";
    std::ofstream(file_) << "a regular file";
  }
  int Run(const std::vector<std::string>& args) {
    last_ = RunArkwiki(args);
    return last_.exit_code;
  }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string archive_ = dir_.Sub("backup.zip");
  std::string garbage_ = dir_.Sub("garbage.zip");
  std::string file_ = dir_.Sub("file");            // a regular file
  std::string under_file_ = dir_.Sub("file/sub");  // its "child": ENOTDIR
  std::string missing_ = dir_.Sub("missing.zip");
  CommandResult last_;
};

TEST_F(ExitCodesTest, Create) {
  EXPECT_EQ(Run({"backup", "create", "--data", data_, "--out", dir_.Sub("b.zip")}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "create", "--data", dir_.Sub("none"), "--out", dir_.Sub("c.zip")}), 1);
  EXPECT_EQ(Run({"backup", "create", "--data", data_}), 2);
  // A database that is not one: the archive would be rejected.
  ASSERT_EQ(::mkdir(dir_.Sub("bad").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir(dir_.Sub("bad/live").c_str(), 0755), 0);
  std::ofstream(DataDirLayout(dir_.Sub("bad")).database) << std::string(8192, 'x');
  EXPECT_EQ(Run({"backup", "create", "--data", dir_.Sub("bad"), "--out", dir_.Sub("d.zip")}), 3)
      << last_.err;
  EXPECT_EQ(Run({"backup", "create", "--data", data_, "--out", under_file_ + "/e.zip"}), 4);
  EXPECT_NE(last_.err.find("the output directory " + under_file_), std::string::npos) << last_.err;
}

TEST_F(ExitCodesTest, Verify) {
  EXPECT_EQ(Run({"backup", "verify", archive_}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "verify", missing_}), 1) << last_.err;
  EXPECT_EQ(Run({"backup", "verify"}), 2);
  EXPECT_EQ(Run({"backup", "verify", garbage_}), 3) << last_.err;
  EXPECT_EQ(Run({"backup", "verify", dir_.path()}), 4) << last_.err;
}

TEST_F(ExitCodesTest, Inspect) {
  EXPECT_EQ(Run({"backup", "inspect", archive_}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "inspect", missing_}), 1) << last_.err;
  EXPECT_EQ(Run({"backup", "inspect", "--bogus", archive_}), 2);
  EXPECT_EQ(Run({"backup", "inspect", garbage_}), 3) << last_.err;
  EXPECT_EQ(Run({"backup", "inspect", dir_.path()}), 4) << last_.err;
}

TEST_F(ExitCodesTest, Restore) {
  const std::string target = dir_.Sub("target");
  EXPECT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes"}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "restore", "--data", target, missing_, "--yes"}), 1) << last_.err;
  EXPECT_EQ(Run({"backup", "restore", "--data", target, archive_}), 2);
  EXPECT_EQ(Run({"backup", "restore", "--data", target, garbage_, "--yes"}), 3) << last_.err;
  EXPECT_EQ(Run({"backup", "restore", "--data", under_file_, archive_, "--yes"}), 4);
  EXPECT_NE(last_.err.find("the data directory " + file_), std::string::npos) << last_.err;
  auto server = StartServer(target);
  ASSERT_TRUE(server.ok()) << server.status().message();
  EXPECT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes"}), 4) << last_.err;
  EXPECT_NE(last_.err.find("stop the server first"), std::string::npos) << last_.err;
}

TEST_F(ExitCodesTest, TestRestore) {
  EXPECT_EQ(Run({"backup", "test-restore", archive_, "--sample", "2"}), 0) << last_.out;
  EXPECT_EQ(Run({"backup", "test-restore", missing_}), 1) << last_.err;
  EXPECT_EQ(Run({"backup", "test-restore"}), 2);
  EXPECT_EQ(Run({"backup", "test-restore", archive_, "--progress=sometimes"}), 2);
  EXPECT_EQ(Run({"backup", "test-restore", garbage_}), 3) << last_.err;
  EXPECT_EQ(Run({"backup", "test-restore", archive_, "--scratch", under_file_}), 4);
  EXPECT_NE(last_.err.find("the scratch directory " + file_), std::string::npos) << last_.err;
}

TEST_F(ExitCodesTest, RestoreProgressSuitsLogsUnlessAskedForTheBar) {
  const std::string target = dir_.Sub("target");
  // Standard error is a file here, not a terminal: phase lines, no bar.
  ASSERT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes"}), 0) << last_.err;
  EXPECT_EQ(last_.err.find('\r'), std::string::npos) << last_.err;
  EXPECT_NE(last_.err.find("checking:"), std::string::npos) << last_.err;
  ASSERT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes", "--progress=always"}),
            0);
  EXPECT_NE(last_.err.find("\rchecking:"), std::string::npos) << last_.err;
  ASSERT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes", "--quiet"}), 0);
  EXPECT_EQ(last_.err, "");
  EXPECT_EQ(last_.out, "");
  ASSERT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes", "--progress=never"}), 0);
  EXPECT_EQ(last_.err, "");
  EXPECT_NE(last_.out.find("restored"), std::string::npos);
  EXPECT_EQ(Run({"backup", "restore", "--data", target, archive_, "--yes", "--progress=x"}), 2);
}

TEST_F(ExitCodesTest, CreateRefusesAnUnreadableUploadBeforeWriting) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root, which reads any file whatever its mode";
  }
  const std::string uploads = DataDirLayout(data_).uploads;
  auto listing = process::RunProcess("/bin/sh", {"-c", "find " + uploads + " -type f | head -1"});
  ASSERT_TRUE(listing.ok());
  const std::string upload = listing->out.substr(0, listing->out.find('\n'));
  ASSERT_FALSE(upload.empty());
  ASSERT_EQ(::chmod(upload.c_str(), 0), 0);
  EXPECT_EQ(Run({"backup", "create", "--data", data_, "--out", dir_.Sub("u.zip")}), 4);
  EXPECT_NE(last_.err.find("the upload file " + upload), std::string::npos) << last_.err;
  EXPECT_FALSE(Env::Default()->FileExists(dir_.Sub("u.zip")).value());
}

}  // namespace
}  // namespace arkwiki::testing
