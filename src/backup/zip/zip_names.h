// Entry-name rules shared by ZipWriter and ZipReader, so we never write an
// archive that we would refuse to restore. Every failure names the entry and
// the problem in words an admin can act on: `entry "../x": path escapes the
// archive`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"

namespace arkwiki::zip {

// Longest entry name the writer produces; ZipLimits::max_name_bytes has the
// same default on the reading side.
inline constexpr size_t kDefaultMaxNameBytes = 512;

// InvalidArgument unless `name` is a relative path of files only: non-empty,
// at most `max_name_bytes`, valid UTF-8 without control characters, no
// backslashes, drive letters, leading or trailing '/', and no "", "." or ".."
// components.
Status CheckEntryName(std::string_view name, size_t max_name_bytes);

// The key under which two names collide: ASCII letters folded to lower case
// (so "A.txt" and "a.txt" cannot both be restored on a case-insensitive disk).
std::string CaseFoldKey(std::string_view name);
// Orders names as their CaseFoldKey would (bytewise, unsigned), without
// building the keys: <0, 0 or >0.
int CompareFolded(std::string_view a, std::string_view b);

// "entry \"<name>\": <problem>", with the name quoted safely.
std::string EntryMessage(std::string_view name, std::string_view problem);

}  // namespace arkwiki::zip
