// Text and JSON renderings of backup results for the CLI (a contract for
// users' scripts: see README "Verifying backups in CI").
#pragma once

#include <string>

#include "arkwiki/backup/archive_reader.h"

namespace arkwiki::cli {

// {"ok", "file", "exit_code", "seconds", "error"?, "error_code"?,
//  "files_checked"?, "bytes_checked"?, "manifest"?}
std::string VerifyJson(const std::string& file, const Result<VerifyReport>& report, double seconds,
                       int exit_code);
std::string ManifestSummaryJson(const Manifest& manifest);
std::string ManifestSummaryText(const Manifest& manifest);

}  // namespace arkwiki::cli
