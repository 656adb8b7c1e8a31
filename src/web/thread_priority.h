// Background priority for the server's threads that do backup work: the
// long-request workers (backup downloads, searches, archive uploads; see
// worker_lanes.h), the scheduler's thread (automatic backups, repository
// checks, test restores) and the off-site copier. Page views keep the
// server's own priority, so when the two cores are short they get them
// first. Private to the web layer.
//
// Linux keeps a CPU nice value and an I/O priority per thread, and a thread
// inherits both from the thread that creates it: the threads a backup
// starts (its reader, hashers and forwarder) run at the priority of the
// thread that started it. An unprivileged thread cannot raise either again,
// so only threads that never go back to serving page views are lowered.
#pragma once

#include "arkwiki/core/status.h"

namespace arkwiki::web {

// How much nicer than the server background threads run: a quarter of a
// page view's CPU weight, so that a search on the long lane still finishes
// within its budget under load (at +10 it would get a tenth).
inline constexpr int kBackgroundNiceIncrement = 5;
// Best-effort I/O at its lowest level (7). Not the idle class: with an I/O
// scheduler that honours classes (BFQ), an idle-class backup gets no disk
// time at all while anything else reads, and a busy wiki's backup would
// never end. Schedulers that ignore priorities (none, mq-deadline) ignore
// both.
inline constexpr int kBackgroundIoLevel = 7;

// Lowers the calling thread's CPU priority by kBackgroundNiceIncrement (at
// most to 19) and sets its I/O priority to best-effort kBackgroundIoLevel.
// Both are attempted; IoError names the call that failed and its errno.
[[nodiscard]] Status LowerThisThreadToBackground();

// LowerThisThreadToBackground the first time a thread calls it; later calls
// do nothing (each would lower the nice value again). A failure is logged
// as a warning naming `who`: the work runs on at the server's priority.
void LowerThisThreadToBackgroundOnce(const char* who);

// The calling thread's nice value, and its I/O priority as Linux encodes it
// (class << 13 | level; 0 when none was set), for tests and logs.
int ThisThreadNice();
int ThisThreadIoPriority();

// The I/O priority LowerThisThreadToBackground sets, in that encoding.
int BackgroundIoPriority();

}  // namespace arkwiki::web
