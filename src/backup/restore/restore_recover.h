// Finishing or undoing a restore that an intent marker names (private; the
// steps are in restore.h). Restorer::Recover runs these after a crash, and
// Restorer::Commit after a failed swap.
#pragma once

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "arkwiki/storage/data_dir.h"
#include "restore/intent_marker.h"

namespace arkwiki {

// With a marker on disk: finishes the import if its swap happened, else puts
// the old data back; removes the marker and that import's staging directory.
// After the swap: moves the replaced live directory to DATA/safety/
// marker.keep_old_as, if set and not moved yet. Idempotent.
Status KeepOldData(Env* env, const DataDirLayout& layout, const IntentMarker& marker);
Status FinishOrRollBack(Env* env, const DataDirLayout& layout, const IntentMarker& marker);

}  // namespace arkwiki
