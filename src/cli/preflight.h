// Checks run before a backup or restore starts, so that a missing
// permission is reported up front, naming the path, instead of failing
// half-way. Each returns NotFound for a path that does not exist and
// PermissionDenied (exit 4) for one the process cannot use; the message
// says what is wrong and which path.
#pragma once

#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki::cli {

// The directory that will hold `file` (its parent) exists and a file can
// be created in it.
Status CheckOutputDirFor(const std::string& file);
// `dir` can be written: a file can be created in it, or, if it does not
// exist yet, in its nearest existing ancestor (so it can be created).
Status CheckWritableDir(const std::string& dir, const std::string& role);
// Every regular file under `dir` can be opened for reading; a missing
// `dir` is fine (a wiki without uploads).
Status CheckFilesReadable(const std::string& dir, const std::string& role);

}  // namespace arkwiki::cli
