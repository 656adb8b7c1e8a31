// The small JSON files of a repository: repository.json, a restore point's
// restore-point.json and check.json (private to the backup layer; the
// fields are described in docs/backup-repository.md).
#pragma once

#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/repository.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// {"format": "arkwiki-repository", "format_version": 2}, or for an
// encrypted repository format version 3 with "encryption".
std::string RepositoryJson(bool encrypted = false);
struct RepositoryFormat {
  int version = 0;
  bool encrypted = false;
};
// Corruption for text that is not a repository.json; Unsupported for a
// newer format version or an encryption this arkwiki does not read.
Result<RepositoryFormat> ParseRepositoryJson(const std::string& text);
Status CheckRepositoryJson(const std::string& text);
// Rewrites an older repository.json (format version 1: loose objects only)
// as version 2, durably, before the first pack is placed, so that
// an arkwiki that reads only version 1 refuses the repository instead of
// misreading objects/packs/ (its prune would remove the packs). Versions 2
// and 3 are left as they are.
Status UpgradeRepositoryFormat(Env* env, const RepoLayout& repo);

// restore-point.json: every SnapshotInfo field except `check`.
std::string PointMetaJson(const SnapshotInfo& info);
// Corruption when a field is missing or of the wrong type.
Result<SnapshotInfo> ParsePointMeta(const std::string& text);

// check.json: {"status", "checked_at", "message"}.
std::string CheckJson(const CheckStatus& check);
// Unknown for text that cannot be read: a check can always be run again.
CheckStatus ParseCheckJson(const std::string& text);

// Ids of the complete restore points (a directory under snapshots/ with an
// id's shape and a manifest.json), oldest first.
Result<std::vector<std::string>> ListPointIds(Env* env, const RepoLayout& repo);
// restore-point.json and check.json of restore point `id`.
Result<SnapshotInfo> ReadPointInfo(Env* env, const RepoLayout& repo, const std::string& id);
// The manifest of the restore point in directory `dir`, checksum checked.
Result<Manifest> ReadPointManifest(Env* env, const std::string& dir);

}  // namespace arkwiki
