// Wall-clock helpers. All stored times are Unix seconds, UTC.
#pragma once

#include <cstdint>
#include <string>

namespace arkwiki {

int64_t NowUnixSeconds();
int64_t NowUnixMillis();
// 2026-11-26T17:28:14Z
std::string FormatIsoUtc(int64_t unix_seconds);
// 20261126T172814Z-style compact form used in file names: 2026-11-26T172814Z
std::string FormatFileStampUtc(int64_t unix_seconds);
// Parses the FormatIsoUtc form; returns -1 on malformed input.
int64_t ParseIsoUtc(const std::string& text);

}  // namespace arkwiki
