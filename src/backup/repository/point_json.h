// The small JSON files of a repository: repository.json, a restore point's
// restore-point.json and check.json (private to the backup layer; the
// fields are described in docs/backup-repository.md).
#pragma once

#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/repository.h"
#include "format/manifest_file_store.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// {"format": "arkwiki-repository", "format_version": 5}, with "encryption"
// for an encrypted repository.
std::string RepositoryJson(bool encrypted = false);
struct RepositoryFormat {
  int version = 0;
  bool encrypted = false;
};
// Corruption for text that is not a repository.json; Unsupported for a
// newer format version or an encryption this arkwiki does not read.
Result<RepositoryFormat> ParseRepositoryJson(const std::string& text);
Status CheckRepositoryJson(const std::string& text);
// Rewrites an older repository.json as version `version` (kPackedFormatVersion
// before the first pack is placed, kChunkedFormatVersion before the first
// chunk is stored), durably and keeping its encryption, so that an
// arkwiki that reads only older versions refuses the repository instead of
// misreading it (its prune would remove the packs, or the chunks). A newer
// or equal version is left as it is.
Status UpgradeRepositoryFormat(Env* env, const RepoLayout& repo, int version);

// restore-point.json: every SnapshotInfo field except `check`.
std::string PointMetaJson(const SnapshotInfo& info);
// Corruption when a field is missing or of the wrong type.
Result<SnapshotInfo> ParsePointMeta(const std::string& text);

// check.json: {"status", "checked_at", "message"}.
std::string CheckJson(const CheckStatus& check);
// Unknown for text that cannot be read: a check can always be run again.
CheckStatus ParseCheckJson(const std::string& text);

// Whether the restore point in `dir` is complete: it holds its manifest,
// whole (manifest.json) or as chunks (manifest.json.chunks), whichever a
// snapshot writes last.
Result<bool> PointIsComplete(Env* env, const std::string& dir);
// Ids of the complete restore points (a directory under snapshots/ with an
// id's shape, complete as PointIsComplete says), oldest first.
Result<std::vector<std::string>> ListPointIds(Env* env, const RepoLayout& repo);
// restore-point.json and check.json of restore point `id`.
Result<SnapshotInfo> ReadPointInfo(Env* env, const RepoLayout& repo, const std::string& id);
// The manifest of the restore point in directory `dir`, checksum checked.
// A manifest stored as chunks reads only through an Env that reassembles
// it (OpenStoredObjects); through another, NotFound.
Result<Manifest> ReadPointManifest(Env* env, const std::string& dir);
// As above, its files put in `files` (which spills them past its limit)
// instead of the Manifest's list, which is left empty.
Result<Manifest> ReadPointManifest(Env* env, const std::string& dir, ManifestFileStore* files);

}  // namespace arkwiki
