// A seeded wiki backed up to an archive: the starting point of restore tests.
// Header-only: only test binaries that link arkwiki_backup include it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/env.h"
#include "support/seed_wiki.h"

namespace arkwiki::testing {

// Seeds wiki `archived` in `source` and writes its backup to `archive`, then
// seeds wiki `live_variant` in `live`: the archive and the live wiki differ.
inline void SeedArchiveAndLive(const std::string& source, const std::string& archive,
                               const std::string& live, const std::string& archived = "a",
                               const std::string& live_variant = "b") {
  SeedWikiAt(source, archived);
  auto written = WriteBackupToFile(Env::Default(), DataDirLayout(source), archive);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  SeedWikiAt(live, live_variant);
}

}  // namespace arkwiki::testing
