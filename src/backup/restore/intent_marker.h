// The intent marker (the file at DataDirLayout::intent_marker):
// written before the swap of a restore and removed after it, so that a
// restart after a crash knows which restore to finish or roll back
// (restore.h, Restorer::Recover).
#pragma once

#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

// What the marker holds.
struct IntentMarker {
  std::string staging_id;
  std::string generation;
  std::string safety_backup;
  // Set when the old data could not be archived (see Restorer::Commit): the
  // name under DATA/safety/ that the old live directory moves to once the
  // swap is done. Empty otherwise.
  std::string keep_old_as;
};
std::string SerializeIntent(const IntentMarker& marker);
Result<IntentMarker> ParseIntent(const std::string& text);

}  // namespace arkwiki
