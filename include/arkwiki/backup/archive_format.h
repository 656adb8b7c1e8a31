// The arkwiki backup archive, format versions 1 (full) and 2 (partial).
//
// A backup is one ZIP file (ZIP64 where needed) holding exactly these entries,
// each a regular file (no directories, links or encryption), stored (method 0)
// or deflated (method 8):
//
//   manifest.json            first entry; described below
//   database/arkwiki.db      a SQLite snapshot of the whole wiki database
//                            (pages, revisions, trash, users, preferences,
//                            settings, hashed API tokens, audit log); login
//                            sessions are removed; journal mode DELETE
//   config/settings.json     the system configuration as a JSON object of
//                            strings (the same values the database holds)
//   uploads/<aa>/<sha256>    one entry per distinct upload content, named by
//                            the SHA-256 of its bytes (<aa> = first two hex
//                            digits); the database maps page/name to hash
//
// manifest.json is a UTF-8 JSON object:
//   format          "arkwiki-backup"
//   format_version  1 (readers refuse a newer version, naming both)
//   app_version     the arkwiki version that wrote it
//   schema_version  the database's PRAGMA user_version
//   created_at      UTC time, "YYYY-MM-DDTHH:MM:SSZ"
//   site_title, base_url, instance_id   from the settings
//   counts          {"pages", "revisions", "users", "uploads", "bytes"}: live
//                   pages, all revisions, users, upload rows, and the total
//                   size in bytes of every file listed in "files"
//   files           [{"path", "size", "sha256"}] for every entry except
//                   manifest.json itself, in archive order
//   manifest_sha256 SHA-256 (lowercase hex) of the exact bytes of
//                   manifest.json in which this value's 64 hex digits are
//                   replaced by 64 ASCII '0' characters
//
// Partial archives (format_version 2). A "database only" backup leaves the
// upload files out. Its manifest has format_version 2 and one more member,
// before "files":
//   partial         {"omits": ["uploads"]}: the parts the archive leaves out
// and "files" lists no uploads/ entry (counts.uploads still counts the
// database's upload rows). "uploads" is the only part that can be left out;
// a reader refuses a partial manifest that omits anything else, omits
// nothing, still lists an upload, or a version 1 manifest that says
// "partial" and a version 2 one that does not. Full archives stay version 1,
// so every arkwiki reads them; an arkwiki older than this format refuses a
// partial archive as a newer version rather than mistaking it for a full
// one. Restoring a partial archive keeps the wiki's upload files (restore.h).
//
// A verifier checks: the ZIP structure, which must be byte for byte the
// canonical form arkwiki's ZipWriter writes (zip_types.h; ZipReader with
// ZipLimits::require_canonical), so that no header byte can change
// unnoticed; the manifest checksum; that the set
// of entries equals manifest.json plus "files" (nothing missing, nothing
// extra); each entry's size, CRC-32 and SHA-256; that each upload's name is
// its SHA-256; and the database: SQLite integrity_check, foreign_key_check,
// application_id 0x41524B57 and a schema_version it knows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/manifest_files.h"

namespace arkwiki {

inline constexpr char kArchiveFormatName[] = "arkwiki-backup";
inline constexpr int kArchiveFormatVersion = 1;  // what a full archive is written as
// A partial archive's version, and the newest version a reader accepts.
inline constexpr int kPartialArchiveFormatVersion = 2;
// The one part a partial archive may leave out.
inline constexpr char kPartUploads[] = "uploads";
inline constexpr char kManifestPath[] = "manifest.json";
inline constexpr char kDatabasePath[] = "database/arkwiki.db";
inline constexpr char kSettingsPath[] = "config/settings.json";
inline constexpr char kUploadsPrefix[] = "uploads/";

struct ManifestCounts {
  int64_t pages = 0;
  int64_t revisions = 0;
  int64_t users = 0;
  int64_t uploads = 0;
  int64_t bytes = 0;
};

struct Manifest {
  std::string format = kArchiveFormatName;
  int format_version = kArchiveFormatVersion;
  std::string app_version;
  int schema_version = 0;
  std::string created_at;
  std::string site_title;
  std::string base_url;
  std::string instance_id;
  ManifestCounts counts;
  // The parts a partial archive leaves out ({"uploads"}); empty for a full
  // archive.
  std::vector<std::string> omits;
  ManifestFiles files;

  bool partial() const { return !omits.empty(); }
};

// "uploads/ab/abcd..." for a SHA-256.
std::string UploadEntryPath(const std::string& sha256);
// The SHA-256 an upload entry's name claims (a view into `path`), or "" if
// `path` is not one.
std::string_view UploadEntryHash(std::string_view path);

}  // namespace arkwiki
