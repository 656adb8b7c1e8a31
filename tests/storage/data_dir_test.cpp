// The data directory's privacy: a warning names a data directory, or its
// live/, that group or others may enter, and the command that fixes it.
#include "arkwiki/storage/data_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/temp_dir.h"

namespace arkwiki {
namespace {

TEST(DataDirPrivacyTest, WarnsOfADataDirectoryOthersMayEnterAndNamesTheFix) {
  testing::TempDir dir;
  const DataDirLayout layout(dir.Sub("data"));
  ASSERT_TRUE(PrepareDataDir(Env::Default(), layout).ok());
  ASSERT_EQ(::chmod(layout.root.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(layout.live.c_str(), 0700), 0);
  EXPECT_EQ(DataDirPrivacyWarning(layout), "");
  ASSERT_EQ(::chmod(layout.live.c_str(), 0755), 0);
  const std::string warning = DataDirPrivacyWarning(layout);
  EXPECT_NE(warning.find(layout.live), std::string::npos) << warning;
  EXPECT_NE(warning.find("chmod -R go-rwx " + layout.root), std::string::npos) << warning;
  ASSERT_EQ(::chmod(layout.live.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(layout.root.c_str(), 0711), 0);
  EXPECT_NE(DataDirPrivacyWarning(layout).find(layout.root), std::string::npos);
}

}  // namespace
}  // namespace arkwiki
