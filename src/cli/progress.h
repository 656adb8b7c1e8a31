// Progress output for long CLI commands, fit for terminals and for logs.
//
// --progress=always draws a bar that redraws one line ("\rphase: N%");
// --progress=auto (the default) does so only when standard error is a
// terminal, and otherwise prints plain lines: one at each phase change and
// at most one every few seconds within a phase; --progress=never and
// --quiet print no progress at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki::cli {

enum class ProgressMode { kNever, kAuto, kAlways };

// Parses the value of --progress; InvalidArgument names the bad value.
Result<ProgressMode> ParseProgressMode(const std::string& value);

class ProgressReporter {
 public:
  // `is_terminal` says whether standard error is a terminal (isatty(2)).
  ProgressReporter(ProgressMode mode, bool quiet, bool is_terminal);
  // One update: `total` 0 means the phase's size is unknown.
  void Update(const std::string& phase, uint64_t done, uint64_t total);
  // Ends a drawn bar with a newline, so later messages start on their own line.
  void Finish();

 private:
  enum class Style { kNone, kBar, kLines };
  Style style_;
  std::string phase_;
  bool bar_open_ = false;
  std::chrono::steady_clock::time_point last_line_{};
};

}  // namespace arkwiki::cli
