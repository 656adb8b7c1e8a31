#include "stdout_sink.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace arkwiki::cli {

Status StdoutSink::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(1, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("writing to standard output: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace arkwiki::cli
