// CheckThread (repository/check_thread.h): Join waits for the check and
// hands over its outcome; a CheckThread left without Join cancels the
// check and waits for it.
#include "repository/check_thread.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>

namespace arkwiki {
namespace {

// Long enough that only a raised request ends the check's wait in a run
// that passes; a limit, not a sleep.
constexpr std::chrono::minutes kCheckWaitLimit{2};

TEST(CheckThreadTest, JoinHandsOverTheOutcomeWithoutCancelling) {
  std::atomic<bool> saw_cancel{true};
  CheckThread check([&](const Cancellation& cancel) {
    saw_cancel = cancel.cancelled();
    return Status::Corruption("the row is bad");
  });
  const Status s = check.Join();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_FALSE(saw_cancel);
}

TEST(CheckThreadTest, CallerThatStopsEarlyCancelsTheCheckAndWaitsForIt) {
  std::atomic<bool> cancelled{false};
  std::atomic<bool> ended{false};
  {
    CheckThread check([&](const Cancellation& cancel) {
      // Ends only when the request is raised (or at the limit).
      const Status s = cancel.SleepFor(kCheckWaitLimit);
      cancelled = s.code() == StatusCode::kCancelled;
      ended = true;
      return s;
    });
  }
  EXPECT_TRUE(ended) << "the destructor returned before the check ended";
  EXPECT_TRUE(cancelled) << "the check was not cancelled";
}

TEST(CheckThreadTest, AnExceptionFromTheCheckIsItsOutcome) {
  CheckThread check([](const Cancellation&) -> Status { throw std::runtime_error("boom"); });
  const Status s = check.Join();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("boom"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace arkwiki
