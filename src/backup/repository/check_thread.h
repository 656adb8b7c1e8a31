// CheckThread: one check run on a thread of its own while its caller goes
// on with other work (private to the backup layer).
#pragma once

#include <functional>
#include <thread>

#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// Starts `check` on a thread of its own. The two threads meet only there
// and in Join; the destructor joins too (dropping the outcome), so every
// way out of the caller's scope, an exception's included, waits for the
// check before anything it reads can be removed. Before that join it
// raises the Cancellation it gave `check`, which should poll it, so that
// a caller that failed early does not wait out a long check. `check` must
// touch nothing the caller changes before Join. Where no thread can be
// started, Join runs `check` itself: the same outcome, only later.
class CheckThread {
 public:
  explicit CheckThread(std::function<Status(const Cancellation& cancel)> check);
  ~CheckThread();
  CheckThread(const CheckThread&) = delete;
  CheckThread& operator=(const CheckThread&) = delete;

  // Waits for the check and returns its outcome (an exception it threw is
  // an IoError naming it). Call it once.
  [[nodiscard]] Status Join();

 private:
  void Run();

  std::function<Status(const Cancellation&)> check_;
  Cancellation cancel_;  // raised by the destructor only
  Status status_;        // written by the check's thread, read after the join
  bool started_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace arkwiki
