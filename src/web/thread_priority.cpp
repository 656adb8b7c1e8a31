#include "thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "arkwiki/core/log.h"

namespace arkwiki::web {
namespace {

// Linux's ioprio_set and ioprio_get, which glibc does not wrap.
constexpr int kIoprioWhoProcess = 1;  // with a thread id: that thread
constexpr int kIoprioClassBestEffort = 2;
constexpr int kIoprioClassShift = 13;

id_t ThisThreadId() { return static_cast<id_t>(::syscall(SYS_gettid)); }

std::string ErrnoText(int error) {
  return std::to_string(error) + " (" + std::strerror(error) + ")";
}

}  // namespace

int BackgroundIoPriority() {
  return (kIoprioClassBestEffort << kIoprioClassShift) | kBackgroundIoLevel;
}

int ThisThreadNice() {
  errno = 0;
  return ::getpriority(PRIO_PROCESS, ThisThreadId());
}

int ThisThreadIoPriority() {
  return static_cast<int>(::syscall(SYS_ioprio_get, kIoprioWhoProcess, ThisThreadId()));
}

Status LowerThisThreadToBackground() {
  std::string failed;
  const id_t tid = ThisThreadId();
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, tid);
  if (errno != 0) {
    failed = "getpriority: errno " + ErrnoText(errno);
  } else if (::setpriority(PRIO_PROCESS, tid, std::min(19, nice + kBackgroundNiceIncrement)) != 0) {
    failed = "setpriority: errno " + ErrnoText(errno);
  }
  if (::syscall(SYS_ioprio_set, kIoprioWhoProcess, tid, BackgroundIoPriority()) != 0) {
    failed += (failed.empty() ? "" : "; ") + std::string("ioprio_set: errno ") + ErrnoText(errno);
  }
  if (failed.empty()) return Status::Ok();
  return Status::IoError("cannot lower the thread's priority: " + failed);
}

void LowerThisThreadToBackgroundOnce(const char* who) {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  Status s = LowerThisThreadToBackground();
  if (!s.ok()) LogWarning(std::string(who) + ": " + s.message());
}

}  // namespace arkwiki::web
