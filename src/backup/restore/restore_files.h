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

// The uploads the database at `db_path` refers to that `layout` lacks or
// holds at another size, by page slug and name.
Result<std::vector<MissingUpload>> FindMissingUploads(Env* env, const DataDirLayout& layout,
                                                      const std::string& db_path);
// Hard-links every upload file of `layout` into `uploads_dir` (same file
// system; upload files are immutable). Holds off garbage collection while
// it runs.
Status LinkLiveUploads(Env* env, const DataDirLayout& layout, const std::string& uploads_dir);

}  // namespace arkwiki
