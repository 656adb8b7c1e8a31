// What a restore would change: the difference between a checked backup's
// database (a staged import's copy, already verified: restore.h) and the
// live database, for the preview, POST /api/restore?dry_run=1 and
// `arkwiki backup diff`.
//
// How it is computed, in bounded memory whatever the wiki's size:
//   1. both databases are opened read-only, each on its own connection;
//   2. for each kind (pages by slug, users by name, upload files by
//      SHA-256, settings by key) one query per database returns the rows in
//      key order, and the two row streams are merged in one pass, the way
//      `comm` merges two sorted files: a key only in the backup is added by
//      the restore, one only in the live wiki is removed, one in both whose
//      values differ is changed;
//   3. each list keeps its first `DiffOptions::max_entries` entries and
//      counts all of them. Pages edited since the backup was made (work the
//      restore would throw away) come first in their lists.
// Nothing is written to either database, and no row is held beyond the two
// being compared, except the kept entries. The ForEach functions stream a
// whole list, in the same order, for "show all".
//
// Pages in the trash are left out on both sides: a restore brings a page
// back only if it was live in the backup. A setting a database does not
// store counts as its default (the value that wiki runs with). Setting
// values are shown as logs show them (SettingValueForLog: a webhook URL is
// cut to its host).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/backup/restore.h"
#include "arkwiki/core/status.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki {

// A page as one database has it.
struct PageVersion {
  std::string title;
  int64_t revision = 0;   // pages.current_revision
  std::string edited_by;  // author of that revision
  int64_t edited_at = 0;  // Unix seconds of that revision
};
struct PageChange {
  std::string slug;
  std::optional<PageVersion> in_backup;  // none: the restore adds nothing, it removes the page
  std::optional<PageVersion> now;        // none: the restore adds the page
  // The live page was last edited at or after the second the backup was
  // made (times have one-second resolution, so the same second counts).
  bool edited_since_backup = false;
};

struct UserVersion {
  std::string role;  // reader, editor, admin
  bool disabled = false;
};
struct UserChange {
  std::string name;
  std::optional<UserVersion> in_backup;
  std::optional<UserVersion> now;
};

struct SettingChange {
  std::string key;
  std::optional<std::string> in_backup;  // as SettingValueForLog shows it
  std::optional<std::string> now;
};

// Upload files (by content, SHA-256) the restore would add and remove.
struct UploadChange {
  uint64_t files_added = 0;
  uint64_t bytes_added = 0;
  uint64_t files_removed = 0;
  uint64_t bytes_removed = 0;
};

// The first entries of a list, and how many it has in all.
template <typename T>
struct BoundedList {
  uint64_t total = 0;
  std::vector<T> first;
  bool complete() const { return first.size() == total; }
};

struct RestoreDiff {
  BoundedList<PageChange> pages_added;
  BoundedList<PageChange> pages_removed;
  BoundedList<PageChange> pages_changed;
  // Removed or changed pages whose live version is newer than the backup.
  uint64_t pages_edited_since_backup = 0;
  BoundedList<UserChange> users_added;
  BoundedList<UserChange> users_removed;
  BoundedList<UserChange> users_changed;  // role or disabled differs
  // DiffOptions::importer is not an enabled admin in the backup: after the
  // restore they cannot administer the wiki.
  bool importer_loses_admin = false;
  UploadChange uploads;
  BoundedList<SettingChange> settings_changed;
};

struct DiffOptions {
  size_t max_entries = 200;    // kept per list
  int64_t backup_made_at = 0;  // Unix seconds: the manifest's created_at
  std::string importer;        // the admin importing; "" checks nobody
};

// The two database files to compare.
struct DiffSources {
  std::string backup_db;  // the staged, verified copy
  std::string live_db;
};
DiffSources DiffSourcesFor(const DataDirLayout& layout, const StagedImport& staged);
// DiffOptions with backup_made_at from the staged manifest.
DiffOptions DiffOptionsFor(const StagedImport& staged, std::string importer);

// The whole difference, bounded as described above. A database that cannot
// be read is an error (Corruption, IoError); a live wiki with no database
// yet compares as empty.
Result<RestoreDiff> DiffDatabases(const DiffSources& sources, const DiffOptions& options);

// The lists "show all" streams.
enum class DiffList {
  kPagesAdded,
  kPagesRemoved,
  kPagesChanged,
  kUsersAdded,
  kUsersRemoved,
  kUsersChanged,
};
// "pages_added", "pages_removed", "pages_changed", "users_added", ...
const char* DiffListName(DiffList list);
std::optional<DiffList> ParseDiffList(const std::string& name);
bool IsPageList(DiffList list);

// Every entry of one list, in the order of RestoreDiff's lists. Calls stop
// at the first callback that does not return OK, and return its status.
Status ForEachPageChange(const DiffSources& sources, const DiffOptions& options, DiffList list,
                         const std::function<Status(const PageChange&)>& on_page);
Status ForEachUserChange(const DiffSources& sources, DiffList list,
                         const std::function<Status(const UserChange&)>& on_user);

}  // namespace arkwiki
