// The test restore's child runner: a child that hangs is stopped at the
// time limit and counts as a failed test restore, not as a run in progress.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include "backup_service.h"
#include "support/temp_dir.h"

namespace arkwiki::web {
namespace {

TEST(TestRestoreRunnerTest, AChildPastItsTimeLimitIsStoppedAndFails) {
  testing::TempDir dir;
  // Stands in for `arkwiki backup test-restore` that never finishes.
  const std::string hung = dir.Sub("hung-test-restore");
  std::ofstream(hung) << "#!/bin/sh\nexec sleep 100000\n";
  ASSERT_EQ(::chmod(hung.c_str(), 0755), 0);

  const TestRestoreRunner runner = ChildTestRestoreRunner(hung, 200);
  Result<TestRestoreRun> run = runner(dir.Sub("point.zip"), dir.Sub("scratch"));

  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_FALSE(run->passed);
  EXPECT_EQ(run->message, "did not finish within 200 ms and was stopped");
}

}  // namespace
}  // namespace arkwiki::web
