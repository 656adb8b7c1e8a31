// CheckUntrustedDatabase (verify/db_check.h): a check given a Cancellation
// stops once the request is raised, with kCancelled, not a verdict on the
// database.
#include "verify/db_check.h"

#include <gtest/gtest.h>

#include <string>

#include "arkwiki/core/cancellation.h"
#include "arkwiki/storage/data_dir.h"
#include "create/db_snapshot.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Raises `cancel` when the check looks for a -shm file beside the
// database, its last step before SQLite reads anything.
class CancelAtShmProbeEnv : public EnvWrapper {
 public:
  CancelAtShmProbeEnv(Env* target, Cancellation* cancel) : EnvWrapper(target), cancel_(cancel) {}
  Result<bool> FileExists(const std::string& path) override {
    if (path.ends_with("-shm")) cancel_->Cancel("the snapshot stopped");
    return target()->FileExists(path);
  }

 private:
  Cancellation* cancel_;
};

class DbCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedWikiAt(data_);
    auto copy = SnapshotDatabase(Env::Default(), DataDirLayout(data_), copy_);
    ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  }
  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string copy_ = dir_.Sub("copy.db");
};

TEST_F(DbCheckTest, ACopyOfALiveWikiPassesWithOrWithoutACancellation) {
  int uploads = 0;
  auto count = [&](const Sha256Raw&, uint64_t) { ++uploads; };
  auto plain = CheckUntrustedDatabase(Env::Default(), copy_, count);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  const int without = uploads;
  EXPECT_GT(without, 0);
  Cancellation never;
  auto with = CheckUntrustedDatabase(Env::Default(), copy_, count, &never);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(uploads, 2 * without);
}

TEST_F(DbCheckTest, RaisedRequestStopsTheCheckAsCancelledNotAsDamage) {
  Cancellation cancel;
  CancelAtShmProbeEnv env(Env::Default(), &cancel);
  int uploads = 0;
  auto checked = CheckUntrustedDatabase(
      &env, copy_, [&](const Sha256Raw&, uint64_t) { ++uploads; }, &cancel);
  ASSERT_TRUE(cancel.cancelled()) << "the probe was not reached";
  EXPECT_EQ(checked.status().code(), StatusCode::kCancelled) << checked.status().ToString();
  EXPECT_NE(checked.status().message().find("the snapshot stopped"), std::string::npos)
      << checked.status().ToString();
  EXPECT_EQ(uploads, 0);
}

}  // namespace
}  // namespace arkwiki
