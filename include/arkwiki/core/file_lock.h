// Exclusive flock()s on lock files that name their holder, for locks other
// processes (a CLI command, a second server) must respect. flock() is not
// part of the Env seam: a lock is a property of the open file description,
// which a fault-injecting Env could not hold on the caller's behalf.
#pragma once

#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

// Opens `path` (created if missing, never through a symlink), takes an
// exclusive flock on it without waiting and writes "pid N, <purpose>" into
// it. Returns the descriptor, which holds the lock until it is closed.
// Busy when another open file description holds it; the message is then
// what the holder wrote ("unknown" if nothing). PermissionDenied when the
// file cannot be opened.
Result<int> AcquireHolderLock(const std::string& path, const std::string& purpose);
// Opens `path` as AcquireHolderLock does and takes a shared flock on it
// without waiting; any number of shared holders may hold it at once, and
// they write nothing into it. Busy while an exclusive holder has it; the
// message is then what that holder wrote.
Result<int> AcquireSharedLock(const std::string& path);

}  // namespace arkwiki
