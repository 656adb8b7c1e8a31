#include "progress.h"

#include <cstdio>

namespace arkwiki::cli {
namespace {

// Within one phase, a log gets at most one line per this interval.
constexpr std::chrono::seconds kLineInterval{5};

std::string Percent(uint64_t done, uint64_t total) {
  char text[16];
  std::snprintf(text, sizeof text, "%3.0f%%",
                100.0 * static_cast<double>(done) / static_cast<double>(total));
  return text;
}

}  // namespace

Result<ProgressMode> ParseProgressMode(const std::string& value) {
  if (value == "never") return ProgressMode::kNever;
  if (value == "auto") return ProgressMode::kAuto;
  if (value == "always") return ProgressMode::kAlways;
  return Status::InvalidArgument("--progress must be never, auto or always, not '" + value + "'");
}

ProgressReporter::ProgressReporter(ProgressMode mode, bool quiet, bool is_terminal) {
  if (quiet || mode == ProgressMode::kNever) {
    style_ = Style::kNone;
  } else if (mode == ProgressMode::kAlways || is_terminal) {
    style_ = Style::kBar;
  } else {
    style_ = Style::kLines;
  }
}

void ProgressReporter::Update(const std::string& phase, uint64_t done, uint64_t total) {
  const bool new_phase = phase != phase_;
  phase_ = phase;
  if (style_ == Style::kBar) {
    if (total > 0) {
      std::fprintf(stderr, "\r%s: %s", phase.c_str(), Percent(done, total).c_str());
      bar_open_ = true;
    } else if (new_phase) {
      std::fprintf(stderr, "%s%s...", bar_open_ ? "\n" : "", phase.c_str());
      bar_open_ = true;
    }
    return;
  }
  if (style_ != Style::kLines) return;
  const auto now = std::chrono::steady_clock::now();
  if (!new_phase && now - last_line_ < kLineInterval) return;
  last_line_ = now;
  if (total > 0) {
    std::fprintf(stderr, "%s: %s\n", phase.c_str(), Percent(done, total).c_str());
  } else {
    std::fprintf(stderr, "%s...\n", phase.c_str());
  }
}

void ProgressReporter::Finish() {
  if (bar_open_) std::fputc('\n', stderr);
  bar_open_ = false;
}

}  // namespace arkwiki::cli
