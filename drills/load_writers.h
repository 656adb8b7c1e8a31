// Writers that keep changing a served wiki while a backup or a restore
// point is taken (scenarios 6 and 18), and the check that what was taken
// holds one point in time.
//
// Each writer thread numbers its acknowledged writes 1, 2, 3, ... (page
// edits, and every 8th an upload) and issues them one after another, so
// write i+1 starts only after write i was acknowledged. A point-in-time
// copy therefore holds, per writer, exactly the writes 1..K for some K: a
// hole (i missing while i+1 is present) is an inconsistent copy.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "scenario_util.h"

namespace arkwiki::drill {

constexpr int kWriters = 2;

struct Writer {
  std::atomic<int64_t> acked{0};
  std::string error;
};

// Writer `id`'s loop over HTTP until *stop; the first failure ends it and
// is kept in w->error.
void RunWriter(int port, const std::string& token, int id, Writer* w, std::atomic<bool>* stop);

// Restores `archive` into a fresh install under `dir` and checks it: the
// seeded content unchanged, and per writer exactly the writes 1..K, with
// before[i] <= K <= after[i] + 1 (the writes acknowledged before and after
// the copy was taken).
void VerifyArchiveUnderLoad(DrillContext& ctx, const Golden& g, const std::string& dir,
                            const std::string& archive, const int64_t* before, const int64_t* after,
                            Verdict* v);

}  // namespace arkwiki::drill
