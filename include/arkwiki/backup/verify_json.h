// Text and JSON renderings of what `arkwiki backup verify` and `inspect`
// report, shared by the CLI and POST /api/backups/verify (a contract for
// users' scripts: docs/cli.md, docs/api.md).
#pragma once

#include <string>

#include "arkwiki/backup/archive_reader.h"

namespace arkwiki {

// The exit code `arkwiki backup verify` gives for a refused archive: 4 for
// an environment problem (no space, permission, I/O, busy), 1 for a file
// not found, 3 when the archive itself is refused.
int VerifyExitCode(const Status& s);

// {"ok", "file", "exit_code", "seconds", "error"?, "error_code"?,
//  "files_checked"?, "bytes_checked"?, "archive_bytes"?, "manifest"?}
std::string VerifyJson(const std::string& file, const Result<VerifyReport>& report, double seconds,
                       int exit_code);
// The manifest summary: format, versions, site, counts, number of files,
// and "partial" (bool) with "omits" (the parts a partial archive leaves
// out, [] for a full one).
std::string ManifestSummaryJson(const Manifest& manifest);
std::string ManifestSummaryText(const Manifest& manifest);
// "full", or "database only (leaves out the upload files)".
std::string ArchiveContentsText(const Manifest& manifest);

}  // namespace arkwiki
