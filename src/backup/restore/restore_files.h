// File-level helpers shared by the restore phases.
#pragma once

#include <string>

#include "arkwiki/backup/restore.h"

namespace arkwiki {

// DATA/staging/<id>
std::string StagingDir(const DataDirLayout& layout, const std::string& id);
// The staged replacement for DATA/live.
std::string StagedLive(const DataDirLayout& layout, const std::string& id);
inline constexpr char kGenerationFile[] = "generation";
inline constexpr char kStagedInfoFile[] = "staged.json";

// Makes every directory under (and including) `root` durable, so renames
// and new files inside are durable before the swap: one syncfs of its file
// system (Env::NewFileSystemSync), which covers the files' data as well.
Status SyncTree(Env* env, const std::string& root);
// Total size of the live database file (with -wal) and upload files.
Result<uint64_t> LiveDataBytes(Env* env, const DataDirLayout& layout);
// The intent marker's contents.
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
// With a marker on disk: finishes the import if its swap happened, else puts
// the old data back; removes the marker and that import's staging directory.
// After the swap: moves the replaced live directory to DATA/safety/
// marker.keep_old_as, if set and not moved yet. Idempotent.
Status KeepOldData(Env* env, const DataDirLayout& layout, const IntentMarker& marker);
Status FinishOrRollBack(Env* env, const DataDirLayout& layout, const IntentMarker& marker);

}  // namespace arkwiki
