// Restorer: staging an import (verify + unpack + migrate) and previews.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "arkwiki/backup/restore.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/schema.h"
#include "format/manifest_file_store.h"
#include "format/manifest_parser.h"
#include "restore/restore_files.h"

namespace arkwiki {
namespace {

// Moves the unpacked archive layout into the live layout:
// database/arkwiki.db -> arkwiki.db; uploads/ stays; manifest and config
// go beside live/, where previews read them.
Status ArrangeStagedLive(Env* env, const std::string& dir, const std::string& live) {
  ARKWIKI_RETURN_IF_ERROR(env->Rename(JoinPath(live, kDatabasePath), JoinPath(live, "arkwiki.db")));
  ARKWIKI_RETURN_IF_ERROR(env->RemoveDir(JoinPath(live, "database")));
  ARKWIKI_RETURN_IF_ERROR(env->Rename(JoinPath(live, kManifestPath), JoinPath(dir, kManifestPath)));
  ARKWIKI_RETURN_IF_ERROR(env->RemoveTree(JoinPath(live, "config")));
  return env->CreateDirs(JoinPath(live, "uploads"));
}

// Brings an older database forward inside staging, and into WAL mode as
// the live database runs. What the row check does not vouch for is not
// taken over: the search index is rebuilt from the pages (a schema 1 or 2
// database gets a fresh one from its migration), and sessions are removed
// (the row check refuses an archive with any; the only sessions an import
// keeps are the live wiki's, carried over at commit).
Status MigrateStagedDatabase(const std::string& live) {
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(JoinPath(live, "arkwiki.db"), DbOptions{}));
  ARKWIKI_ASSIGN_OR_RETURN(const int version, ReadSchemaVersion(*db));
  ARKWIKI_RETURN_IF_ERROR(Migrate(*db));
  if (version >= 3) ARKWIKI_RETURN_IF_ERROR(RebuildSearchIndex(*db));
  ARKWIKI_RETURN_IF_ERROR(db->Exec("DELETE FROM sessions"));
  return db->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Status WriteStagedInfo(Env* env, const std::string& dir, const StagedImport& staged) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("archive_path", staged.archive_path);
  o->set("generation", staged.generation);
  o->set("archive_bytes", staged.report.archive_bytes);
  o->set("original_schema_version", staged.report.database.schema_version);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return WriteFileAtomically(env, JoinPath(dir, kStagedInfoFile), out.str());
}

Status StageInto(Env* env, const DataDirLayout& layout, const std::string& archive_path,
                 const SplitArchive* split, const ImportOptions& options, StagedImport* staged) {
  const std::string dir = StagingDir(layout, staged->id);
  const std::string live = StagedLive(layout, staged->id);
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(live));
  // Nothing below syncs file by file (an fdatasync per unpacked file was
  // 72% of a restore's time: benchmarks/README.md). One syncfs at the end
  // makes all of it durable; opened first so that it reports any write-back
  // error from here on.
  ARKWIKI_ASSIGN_OR_RETURN(auto fs_sync, env->NewFileSystemSync(dir));
  VerifyOptions verify;
  verify.limits = options.limits;
  verify.extract_dir = live;
  verify.split = split;
  // Checked once the manifest is read, before anything is unpacked; in the
  // same pass, rather than opening and parsing the archive twice.
  verify.before_extract = [&](const Manifest& manifest) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(uint64_t current, LiveDataBytes(env, layout));
    return CheckFreeSpace(env, layout.root,
                          static_cast<uint64_t>(manifest.counts.bytes) + current + (8 << 20),
                          "the import (unpacked backup plus a safety backup of the current data)");
  };
  verify.progress = [&](uint64_t done, uint64_t total) {
    if (options.progress) options.progress("checking", done, total);
  };
  ARKWIKI_ASSIGN_OR_RETURN(staged->report, VerifyArchive(env, archive_path, verify));
  ARKWIKI_RETURN_IF_ERROR(ArrangeStagedLive(env, dir, live));
  ARKWIKI_RETURN_IF_ERROR(MigrateStagedDatabase(live));
  if (staged->report.manifest.partial()) {
    ARKWIKI_ASSIGN_OR_RETURN(staged->missing_uploads,
                             FindMissingUploads(env, layout, JoinPath(live, "arkwiki.db")));
  }
  staged->generation = RandomHex(16);
  ARKWIKI_RETURN_IF_ERROR(
      WriteFileAtomically(env, JoinPath(live, kGenerationFile), staged->generation + "\n"));
  ARKWIKI_RETURN_IF_ERROR(WriteStagedInfo(env, dir, *staged));
  // Every unpacked file, directory entry and rename is durable after this,
  // before Commit can write its intent marker.
  return fs_sync->Sync();
}

}  // namespace

Result<StagedImport> Restorer::Stage(const std::string& archive_path,
                                     const ImportOptions& options) {
  return StageArchive(archive_path, nullptr, options);
}

Result<StagedImport> Restorer::Stage(const SplitArchive& archive, const ImportOptions& options) {
  return StageArchive(archive.path, &archive, options);
}

Result<StagedImport> Restorer::StageArchive(const std::string& archive_path,
                                            const SplitArchive* split,
                                            const ImportOptions& options) {
  StagedImport staged;
  staged.id = "import-" + FormatFileStampUtc(NowUnixSeconds()) + "-" + RandomHex(6);
  staged.archive_path = archive_path;
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(layout_.staging));
  Status s = StageInto(env_, layout_, archive_path, split, options, &staged);
  if (!s.ok()) {
    // The staging area is emptied of this import whatever went wrong.
    (void)env_->RemoveTree(StagingDir(layout_, staged.id));
    return s;
  }
  return staged;
}

Result<StagedImport> Restorer::LoadStaged(const std::string& id, size_t manifest_files_held) {
  if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos) {
    return Status::NotFound("no staged import '" + id + "'");
  }
  const std::string dir = StagingDir(layout_, id);
  auto info_text = ReadFileToString(env_, JoinPath(dir, kStagedInfoFile), 1 << 20);
  if (!info_text.ok()) return Status::NotFound("no staged import '" + id + "'");
  ARKWIKI_ASSIGN_OR_RETURN(auto manifest_file,
                           env_->NewRandomAccessFile(JoinPath(dir, kManifestPath)));
  StagedImport staged;
  staged.id = id;
  // Only counted past manifest_files_held, as Stage's report counts them;
  // the scratch file has no name once it is written (and none once this ends).
  ManifestFileStore files = ManifestFileStore::InDir(env_, dir, manifest_files_held);
  ARKWIKI_ASSIGN_OR_RETURN(staged.report.manifest, ParseManifestFile(*manifest_file, &files));
  ARKWIKI_ASSIGN_OR_RETURN(staged.report.manifest.files, files.ToManifestFiles());
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(*info_text).extract<Poco::JSON::Object::Ptr>();
    staged.archive_path = o->getValue<std::string>("archive_path");
    staged.generation = o->getValue<std::string>("generation");
    staged.report.archive_bytes = o->getValue<Poco::UInt64>("archive_bytes");
    staged.report.database.schema_version = o->getValue<int>("original_schema_version");
  } catch (const Poco::Exception& e) {
    return Status::Corruption("staged import " + id + " is unreadable: " + e.message());
  }
  staged.report.database.counts = staged.report.manifest.counts;
  if (staged.report.manifest.partial()) {
    ARKWIKI_ASSIGN_OR_RETURN(
        staged.missing_uploads,
        FindMissingUploads(env_, layout_, JoinPath(StagedLive(layout_, id), "arkwiki.db")));
  }
  return staged;
}

Status Restorer::Discard(const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id.find("..") != std::string::npos) {
    return Status::NotFound("no staged import '" + id + "'");
  }
  return env_->RemoveTree(StagingDir(layout_, id));
}

Result<ManifestCounts> CountLiveData(Env* env, const DataDirLayout& layout) {
  DbOptions ro;
  ro.read_only = true;
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(layout.database, ro));
  ManifestCounts c;
  ARKWIKI_ASSIGN_OR_RETURN(c.pages,
                           db->QueryInt("SELECT count(*) FROM pages WHERE deleted_at IS NULL"));
  ARKWIKI_ASSIGN_OR_RETURN(c.revisions, db->QueryInt("SELECT count(*) FROM revisions"));
  ARKWIKI_ASSIGN_OR_RETURN(c.users, db->QueryInt("SELECT count(*) FROM users"));
  ARKWIKI_ASSIGN_OR_RETURN(c.uploads, db->QueryInt("SELECT count(*) FROM uploads"));
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t bytes, LiveDataBytes(env, layout));
  c.bytes = static_cast<int64_t>(bytes);
  return c;
}

}  // namespace arkwiki
