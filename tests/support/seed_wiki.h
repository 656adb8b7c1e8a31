// Seeds a small wiki in-process (for backup and restore unit tests), and
// dumps a wiki's logical content for comparisons.
#pragma once

#include <string>

#include "arkwiki/storage/storage.h"

namespace arkwiki::testing {

// Pages with revisions and a hierarchy, a trashed and a private page, three
// users with preferences and a token, changed settings, uploads (one shared
// by two pages), a session, and audit entries. `variant` changes the text so
// two seeds differ.
void SeedWiki(Storage& storage, const std::string& variant = "a");
// Opens (creating if needed) the wiki in `data_dir`, seeds it as SeedWiki
// does and closes it; a failure to open fails the calling test.
void SeedWikiAt(const std::string& data_dir, const std::string& variant = "a");

// Runs `sql` on the database file directly, bypassing arkwiki (a hand edit
// of a data directory); a failure fails the calling test.
void TamperDatabase(const std::string& database, const std::string& sql);

// Adds an upload `name` with `data` to the existing page `slug`.
void AddUpload(Storage& storage, const std::string& slug, const std::string& name,
               const std::string& data);

// Every logical row that a backup must carry (pages, revisions, redirects,
// users, preferences, tokens, settings, uploads, audit), as sorted text,
// plus each upload file's SHA-256. Sessions are left out.
std::string DumpWiki(const std::string& data_dir);

// A byte-level fingerprint of DATA/live without SQLite's -wal/-shm files.
std::string LiveFingerprint(const std::string& data_dir);

}  // namespace arkwiki::testing
