#include "progress.h"

#include <gtest/gtest.h>

namespace arkwiki::cli {
namespace {

TEST(ProgressModeTest, ParsesTheThreeModesAndRefusesOthers) {
  EXPECT_EQ(ParseProgressMode("never").value(), ProgressMode::kNever);
  EXPECT_EQ(ParseProgressMode("auto").value(), ProgressMode::kAuto);
  EXPECT_EQ(ParseProgressMode("always").value(), ProgressMode::kAlways);
  auto bad = ParseProgressMode("sometimes");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("sometimes"), std::string::npos);
}

std::string Capture(ProgressMode mode, bool quiet, bool terminal) {
  ::testing::internal::CaptureStderr();
  ProgressReporter p(mode, quiet, terminal);
  for (uint64_t i = 0; i <= 100; ++i) p.Update("checking", i, 100);
  p.Update("committing", 0, 0);
  for (uint64_t i = 0; i <= 100; ++i) p.Update("copying", i, 100);
  p.Finish();
  return ::testing::internal::GetCapturedStderr();
}

TEST(ProgressReporterTest, AutoOffATerminalPrintsOneLinePerPhase) {
  EXPECT_EQ(Capture(ProgressMode::kAuto, false, false),
            "checking:   0%\ncommitting...\ncopying:   0%\n");
}

TEST(ProgressReporterTest, AutoOnATerminalDrawsTheBar) {
  const std::string out = Capture(ProgressMode::kAuto, false, true);
  EXPECT_NE(out.find("\rchecking: 100%"), std::string::npos) << out;
  EXPECT_EQ(out.back(), '\n');
}

TEST(ProgressReporterTest, AlwaysDrawsTheBarOffATerminal) {
  EXPECT_NE(Capture(ProgressMode::kAlways, false, false).find("\rcopying:  50%"),
            std::string::npos);
}

TEST(ProgressReporterTest, NeverAndQuietPrintNothing) {
  EXPECT_EQ(Capture(ProgressMode::kNever, false, true), "");
  EXPECT_EQ(Capture(ProgressMode::kAlways, true, true), "");
}

}  // namespace
}  // namespace arkwiki::cli
