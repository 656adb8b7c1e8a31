#include "repository/check_thread.h"

#include <exception>
#include <string>
#include <system_error>
#include <utility>

namespace arkwiki {

CheckThread::CheckThread(std::function<Status(const Cancellation&)> check)
    : check_(std::move(check)) {
  try {
    thread_ = std::thread([this] { Run(); });
    started_ = true;
  } catch (const std::system_error&) {
    // Join runs the check on the caller's thread.
  }
}

CheckThread::~CheckThread() {
  if (thread_.joinable()) {
    cancel_.Cancel("its caller stopped before the check ended");
    thread_.join();
  }
}

Status CheckThread::Join() {
  if (thread_.joinable()) {
    thread_.join();
  } else if (!started_) {
    Run();
    started_ = true;
  }
  return status_;
}

void CheckThread::Run() {
  // An exception must not leave the thread (std::terminate): it becomes
  // the check's outcome.
  try {
    status_ = check_(cancel_);
  } catch (const std::exception& e) {
    status_ = Status::IoError(std::string("the check stopped: ") + e.what());
  } catch (...) {
    status_ = Status::IoError("the check stopped on an unknown exception");
  }
}

}  // namespace arkwiki
