// DATA/offsite/targets.conf: read only when private, every key checked.
#include "arkwiki/backup/offsite_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class OffsiteConfigTest : public ::testing::Test {
 protected:
  Result<std::vector<OffsiteTargetConfig>> Load(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
    return LoadOffsiteTargets(Env::Default(), path_);
  }
  testing::TempDir dir_;
  std::string path_ = dir_.Sub("targets.conf");
};

TEST_F(OffsiteConfigTest, ReadsEachTargetWithItsRetention) {
  auto targets = Load(
      "[nas]\nlocation = /mnt/nas/wiki\npassphrase = pw one\nkeep_monthly = 12\n"
      "[cloud]\nlocation = s3://bucket/wiki\npassphrase = pw2\nendpoint = https://s3.test\n"
      "access_key_id = AK\nsecret_access_key = SK\npath_style = true\n");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  ASSERT_EQ(targets->size(), 2u);
  const OffsiteTargetConfig& cloud = targets->at(0);
  EXPECT_EQ(cloud.name, "cloud");
  EXPECT_EQ(cloud.spec.endpoint, "https://s3.test");
  EXPECT_EQ(cloud.spec.secret_access_key, "SK");
  EXPECT_TRUE(cloud.spec.path_style);
  const OffsiteTargetConfig& nas = targets->at(1);
  EXPECT_EQ(nas.spec.location, "/mnt/nas/wiki");
  EXPECT_EQ(nas.passphrase, "pw one");
  EXPECT_EQ(nas.retention.keep_monthly, 12);
  EXPECT_EQ(nas.retention.keep_daily, RetentionPolicy{}.keep_daily);
}

TEST_F(OffsiteConfigTest, AbsentFileMeansNoTargets) {
  auto targets = LoadOffsiteTargets(Env::Default(), dir_.Sub("none.conf"));
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
}

TEST_F(OffsiteConfigTest, RefusesAFileOthersMayRead) {
  auto targets = Load("[nas]\nlocation = /x\npassphrase = p\n", 0644);
  EXPECT_EQ(targets.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(targets.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(OffsiteConfigTest, RefusesUnknownKeysMissingFieldsAndBadCounts) {
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\npasword = typo\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\nkeep_last = -1\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\nkeep_last = many\n").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace arkwiki
