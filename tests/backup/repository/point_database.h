// Test helpers for restore points whose database and manifest are stored
// as chunks (repository/db_chunks.h, repository/manifest_chunks.h), in a
// plain repository.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "repository/db_chunks.h"
#include "repository/manifest_chunks.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki::testing {

// The hashes of the chunks restore point `id` stores its database (or,
// with kManifestChunks, its manifest) as.
inline std::set<std::string> DatabaseChunks(const RepoLayout& repo, const std::string& id,
                                            const ChunkedKind& kind = kDatabaseChunks) {
  std::set<std::string> hashes;
  auto chunks = ReadPointChunks(Env::Default(), repo.SnapshotDir(id), kind);
  EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
  if (!chunks.ok()) return hashes;
  for (const ChunkRef& c : *chunks) {
    hashes.insert(HexEncode(c.stored.sha256.data(), c.stored.sha256.size()));
  }
  return hashes;
}

// The hashes of every chunk restore point `id` stores: its database's and
// its manifest's.
inline std::set<std::string> PointChunks(const RepoLayout& repo, const std::string& id) {
  std::set<std::string> hashes = DatabaseChunks(repo, id);
  hashes.merge(DatabaseChunks(repo, id, kManifestChunks));
  return hashes;
}

// Rewrites restore point `id`'s manifest as points were written before
// manifests were chunked: whole (reassembled from its chunks), with no
// chunk list.
inline void MakeManifestWhole(const RepoLayout& repo, const std::string& id) {
  Env* env = Env::Default();
  auto stored = OpenStoredObjects(env, repo, nullptr);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const std::string manifest = JoinPath(repo.SnapshotDir(id), kPointManifest);
  auto bytes = ReadFileToString(stored->get(), manifest, uint64_t{1} << 32);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_TRUE(WriteFileAtomically(env, manifest, *bytes).ok());
  ASSERT_TRUE(env->RemoveFile(JoinPath(repo.SnapshotDir(id), kManifestChunksPath)).ok());
}

// Rewrites restore point `id` as format versions 1 to 3 wrote it: its
// database whole (reassembled from its chunks), with no chunk list.
inline void MakeDatabaseWhole(const RepoLayout& repo, const std::string& id) {
  Env* env = Env::Default();
  auto stored = OpenStoredObjects(env, repo, nullptr);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  const std::string db = JoinPath(repo.SnapshotDir(id), kDatabasePath);
  auto bytes = ReadFileToString(stored->get(), db, uint64_t{1} << 32);
  ASSERT_TRUE(bytes.ok()) << bytes.status().ToString();
  ASSERT_TRUE(WriteFileAtomically(env, db, *bytes).ok());
  ASSERT_TRUE(env->RemoveFile(JoinPath(repo.SnapshotDir(id), kDatabaseChunksPath)).ok());
}

}  // namespace arkwiki::testing
