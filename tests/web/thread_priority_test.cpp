// Background priority: a lowered thread runs nicer and at the lowest
// best-effort I/O level, the threads it starts inherit both (what a
// backup's helper threads rely on), the once-per-thread form lowers only
// once, and other threads keep theirs. Each case lowers a thread of its own.
#include "thread_priority.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <thread>

namespace arkwiki::web {
namespace {

// Runs `body` on a new thread and waits for it.
void OnNewThread(const std::function<void()>& body) { std::thread(body).join(); }

TEST(ThreadPriorityTest, LoweringRaisesNiceAndSetsTheLowestBestEffortIo) {
  const int main_nice = ThisThreadNice();
  const int main_io = ThisThreadIoPriority();
  int before = 0, after = 0, io = 0;
  OnNewThread([&] {
    before = ThisThreadNice();
    ASSERT_TRUE(LowerThisThreadToBackground().ok());
    after = ThisThreadNice();
    io = ThisThreadIoPriority();
  });
  EXPECT_EQ(after, std::min(19, before + kBackgroundNiceIncrement));
  EXPECT_EQ(io, BackgroundIoPriority());
  EXPECT_EQ(io, (2 << 13) | 7);  // best-effort, level 7
  EXPECT_EQ(ThisThreadNice(), main_nice);
  EXPECT_EQ(ThisThreadIoPriority(), main_io);
}

TEST(ThreadPriorityTest, ThreadsALoweredThreadStartsInheritItsPriority) {
  int lowered_nice = 0, child_nice = 0, child_io = 0;
  OnNewThread([&] {
    ASSERT_TRUE(LowerThisThreadToBackground().ok());
    lowered_nice = ThisThreadNice();
    OnNewThread([&] {
      child_nice = ThisThreadNice();
      child_io = ThisThreadIoPriority();
    });
  });
  EXPECT_EQ(child_nice, lowered_nice);
  EXPECT_EQ(child_io, BackgroundIoPriority());
}

TEST(ThreadPriorityTest, TheOnceFormLowersAThreadOnlyOnce) {
  int before = 0, after = 0;
  OnNewThread([&] {
    before = ThisThreadNice();
    LowerThisThreadToBackgroundOnce("test");
    LowerThisThreadToBackgroundOnce("test");
    after = ThisThreadNice();
  });
  EXPECT_EQ(after, std::min(19, before + kBackgroundNiceIncrement));
}

}  // namespace
}  // namespace arkwiki::web
