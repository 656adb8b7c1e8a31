// Wall-clock helpers. All stored times are Unix seconds, UTC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace arkwiki {

// A day of Unix time (which has no leap seconds).
inline constexpr int64_t kSecondsPerDay = 86400;

int64_t NowUnixSeconds();
int64_t NowUnixMillis();
// 2026-11-26T17:28:14Z
std::string FormatIsoUtc(int64_t unix_seconds);
// 20261126T172814Z-style compact form used in file names: 2026-11-26T172814Z
std::string FormatFileStampUtc(int64_t unix_seconds);
// Parses the FormatIsoUtc form; returns -1 on malformed input.
int64_t ParseIsoUtc(const std::string& text);

// Whole milliseconds of a steady-clock duration (negative ones as 0), and
// those since `start`: the durations the journal and the status record.
uint64_t WholeMillis(std::chrono::steady_clock::duration d);
uint64_t MillisSince(std::chrono::steady_clock::time_point start);
// Milliseconds on the steady clock: for intervals and deadlines only (its
// zero is arbitrary, so it is no time of day).
int64_t SteadyMillis();

}  // namespace arkwiki
