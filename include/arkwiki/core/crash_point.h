// Named crash points for crash-recovery tests and drills (after RocksDB's
// TEST_SYNC_POINT). CrashPoint("restore.after_swap") kills the process with
// SIGKILL when the environment variable ARKWIKI_CRASH_AT names that point,
// so a drill can stop a real process exactly there. Otherwise it is a cheap
// string comparison against a value read once. Never set it in production.
#pragma once

#include <string_view>

namespace arkwiki {

void CrashPoint(std::string_view name);

}  // namespace arkwiki
