// The objects of a repository: upload bytes stored once under their
// SHA-256 (private to the backup layer).
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "arkwiki/core/env.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// Copies the file `from` into the repository as the object `sha256`: into a
// temporary file in tmp/, hashing as it copies, then renamed over
// objects/<aa>/<sha256> (so a damaged object is replaced whole). Corruption
// when the bytes do not match `sha256` and `size` (nothing is stored then);
// NotFound when `from` is missing. Nothing is synced: the caller makes the
// repository durable before a manifest names the object.
//
// A real copy, never a hard link: a link shares the live file's blocks, so
// damage to the live upload would be damage to the backup as well.
Status CopyObject(Env* env, const RepoLayout& repo, const std::string& from,
                  const std::string& sha256, uint64_t size);

// Re-reads the object and hashes it. NotFound ("missing"), Corruption whose
// message is "wrong size" or "damaged". Adds what it read to *bytes_hashed.
Status VerifyObject(Env* env, const RepoLayout& repo, const std::string& sha256, uint64_t size,
                    uint64_t* bytes_hashed);

// Removes what an interrupted run left in tmp/ and trash/. Only with the
// repository lock held.
Status CleanWorkAreas(Env* env, const RepoLayout& repo);

// The damaged-objects list written by the last check (empty when absent).
Result<std::set<std::string>> ReadDamagedList(Env* env, const RepoLayout& repo);
// Replaces the list; removes the file when `damaged` is empty.
Status WriteDamagedList(Env* env, const RepoLayout& repo, const std::set<std::string>& damaged);

}  // namespace arkwiki
