// Repository::Snapshot: writing one restore point, in the numbered steps of
// arkwiki/backup/repository.h.
#include <algorithm>
#include <set>
#include <vector>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/crash_point.h"
#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "create/archive_body.h"
#include "create/db_snapshot.h"
#include "format/archive_limits_store.h"
#include "format/manifest_file_store.h"
#include "format/manifest_source.h"
#include "format/upload_rows.h"
#include "repository/check_thread.h"
#include "repository/chunk_codec.h"
#include "repository/db_chunks.h"
#include "repository/manifest_chunks.h"
#include "repository/object_store.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"
#include "verify/db_check.h"

namespace arkwiki {
namespace {

// The database's chunk list is written in blocks of about this many bytes:
// at 1,000,000 uploads the database is ~100,000 chunks, whose list held as
// ChunkRefs and then as text was 15 MB of a snapshot's peak.
constexpr size_t kListBlockBytes = 64 << 10;

// Creates `path` with `data`, unsynced: the snapshot syncs the whole file
// system once before its manifest is written.
Status WriteNewFile(Env* env, const std::string& path, std::string_view data) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, CreateMode::kExclusive));
  ARKWIKI_RETURN_IF_ERROR(file->Append(data));
  return file->Close();
}

// manifest.json.chunks, the list of the manifest's chunks, durably: temp
// name, fsync, rename, fsync dir.
Status WriteManifestList(Env* env, const std::string& dir,
                         const std::vector<ChunkRef>& manifest_chunks) {
  const std::string tmp = JoinPath(dir, std::string(kManifestChunksPath) + ".tmp");
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp, CreateMode::kExclusive));
  ARKWIKI_RETURN_IF_ERROR(file->Append(ChunkListText(manifest_chunks)));
  ARKWIKI_RETURN_IF_ERROR(file->Sync());
  ARKWIKI_RETURN_IF_ERROR(file->Close());
  ARKWIKI_RETURN_IF_ERROR(env->Rename(tmp, JoinPath(dir, kManifestChunksPath)));
  return env->SyncDir(dir);
}

// What the repository holds already, for deciding what a snapshot stores:
// the loose objects (ListLooseObjects), the pack index, the objects the
// last check found damaged, and the key of an encrypted repository (whose
// objects are found by their keyed names, with the sizes of their sealed
// bytes).
struct HeldObjects {
  const std::vector<Sha256Raw>& loose;
  const PackIndex& packs;
  const std::set<std::string>& damaged;
  const OffsiteKey* key;
};

enum class StoreAs { kNothing, kLoose, kPacked };

// Whether the object of `size` bytes whose content has the SHA-256 `raw`
// (or, where `raw` is nullptr, `sha_hex()`) must be stored, and how: when
// the repository holds it neither loose nor packed, holds it loose with
// another size, or the last check found it damaged. A new small object goes
// into a pack; a repair, or an object whose loose file is wrong, is stored
// loose (a loose object takes precedence over a packed copy). Only a loose
// object is stat'ed, and `sha_hex` (the hash as text) is called only when
// needed: most objects are found by their raw hash.
template <typename ShaHex>
Result<StoreAs> PlanStore(Env* env, const RepoLayout& repo, const HeldObjects& held,
                          const ShaHex& sha_hex, const Sha256Raw* raw, uint64_t size) {
  if (!held.damaged.empty() && held.damaged.count(sha_hex()) > 0) return StoreAs::kLoose;
  const uint64_t stored_want = held.key ? EncryptedSize(size) : size;
  Sha256Raw stored_name{};
  if (raw != nullptr) {
    stored_name = StoredObjectName(*raw, held.key);
    raw = &stored_name;
  }
  const bool is_loose =
      raw == nullptr || std::binary_search(held.loose.begin(), held.loose.end(), *raw);
  Result<uint64_t> stored = Status::NotFound("not loose");
  if (is_loose) {
    const std::string& sha = sha_hex();  // a returned temporary lives as long
    stored = env->GetFileSize(repo.ObjectPath(held.key ? SealedObjectName(*held.key, sha) : sha));
  }
  if (!stored.ok() && stored.status().code() != StatusCode::kNotFound) return stored.status();
  if (stored.ok()) return *stored == stored_want ? StoreAs::kNothing : StoreAs::kLoose;
  const std::optional<PackEntry> entry = raw ? held.packs.Find(*raw) : std::nullopt;
  if (entry && entry->size == stored_want) return StoreAs::kNothing;
  return size < kPackObjectLimit ? StoreAs::kPacked : StoreAs::kLoose;
}

// One upload the repository must store, and how.
struct PlannedCopy {
  size_t file = 0;      // index into the manifest's files
  bool packed = false;  // into a pack; otherwise a loose object
};

// Which uploads of `files` the repository must store (PlanStore).
Result<std::vector<PlannedCopy>> PlanCopies(Env* env, const RepoLayout& repo,
                                            const HeldObjects& held, const ManifestFileStore& files,
                                            uint64_t* bytes) {
  std::vector<PlannedCopy> copies;
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) return copies;
    if (i < 2) continue;  // the database and the settings
    // The file's strings only where a path or a hex hash is needed.
    const auto sha_hex = [&] { return f->Get().sha256; };
    ARKWIKI_ASSIGN_OR_RETURN(StoreAs how,
                             PlanStore(env, repo, held, sha_hex, f->upload_hash, f->size));
    if (how != StoreAs::kNothing) {
      copies.push_back({i, how == StoreAs::kPacked});
      *bytes += f->size;
    }
  }
}

// Calls `fn(copy, file)` for each of `copies` (in ascending order of
// file), in one walk of `files`.
template <typename Fn>
Status ForEachCopy(const ManifestFileStore& files, const std::vector<PlannedCopy>& copies,
                   const Fn& fn) {
  ManifestFileStore::Cursor cursor = files.Walk();
  size_t next = 0;  // the index of the file the cursor hands out next
  for (const PlannedCopy& c : copies) {
    const ManifestFileStore::File* f = nullptr;
    while (next <= c.file) {
      ARKWIKI_ASSIGN_OR_RETURN(f, cursor.Next());
      if (f == nullptr) return Status::IoError("the restore point's list of files ended early");
      ++next;
    }
    if (f == nullptr) return Status::InvalidArgument("the planned copies are out of order");
    ARKWIKI_RETURN_IF_ERROR(fn(c, f->Get()));
  }
  return Status::Ok();
}

// Step 3: stores the planned uploads, each hashed as it is stored (see
// ObjectCopier for why no read-back follows), small new ones into packs;
// sealed in an encrypted repository (`key`).
Status StoreUploads(Env* env, const DataDirLayout& layout, const RepoLayout& repo,
                    const OffsiteKey* key, const ManifestFileStore& files,
                    const std::vector<PlannedCopy>& copies) {
  ObjectCopier copier(env, repo, key);
  PackWriter packer(env, repo, key);
  ARKWIKI_RETURN_IF_ERROR(
      ForEachCopy(files, copies, [&](const PlannedCopy& c, const ManifestFile& f) -> Status {
        const std::string from = layout.UploadPath(f.sha256);
        Status s =
            c.packed ? packer.Add(from, f.sha256, f.size) : copier.Copy(from, f.sha256, f.size);
        if (s.code() == StatusCode::kNotFound) {
          return Status::Corruption("upload " + f.sha256 +
                                    " is referenced by the database but missing from " +
                                    layout.uploads);
        }
        return s;
      }));
  ARKWIKI_RETURN_IF_ERROR(packer.Finish());
  CrashPoint("repository.snapshot.after_objects");
  return Status::Ok();
}

// Step 2: the database snapshot at `db_path` (in `work`, or for an
// encrypted repository in DATA/tmp/, until it is stored as chunks), the
// settings file in `work`, and the manifest that names them and the
// uploads, its list of files in `files` (BuildManifest).
Result<Manifest> TakeDatabase(Env* env, const DataDirLayout& layout, const std::string& work,
                              const std::string& db_path, int64_t created,
                              ManifestFileStore* files) {
  const std::string settings_path = JoinPath(work, kSettingsPath);
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(db_path)));
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(settings_path)));
  // Step 4 checks the copy's rows, as an import would.
  ARKWIKI_ASSIGN_OR_RETURN(DatabaseSnapshot db,
                           SnapshotDatabase(env, layout, db_path, RowCheck::kCallerChecks));
  ARKWIKI_ASSIGN_OR_RETURN(FileDigest db_digest, Sha256File(env, db_path));
  const std::string settings = SettingsJson(db.settings);
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, settings_path, settings));
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest,
                           BuildManifest(&db, db_digest, settings, created, files));
  // Every restore point must export as an archive an import accepts.
  ARKWIKI_RETURN_IF_ERROR(CheckArchiveLimits(manifest, *files, ZipLimits{}));
  return manifest;
}

// Stores the chunks of a restore point's database and manifest that the
// repository lacks (PlanStore), each as a gzip member (repository/
// chunk_codec.h): an object named by the SHA-256 of those bytes (sealed
// with `held.key`), small ones in packs; a chunk named twice is stored
// once. Every chunk is compressed, stored or not: its name is the hash of
// its compressed bytes. Add returns the chunk's line for the list.
class ChunkStorer {
 public:
  ChunkStorer(Env* env, const RepoLayout& repo, const HeldObjects& held)
      : env_(env),
        repo_(repo),
        held_(held),
        copier_(env, repo, held.key),
        packer_(env, repo, held.key) {}

  Result<ChunkRef> Add(std::string_view plain) {
    ARKWIKI_RETURN_IF_ERROR(compressor_.Gzip(plain, &stored_));
    const std::string_view bytes(stored_);
    const std::string sha = Sha256Hex(bytes);
    ChunkRef chunk{{{}, bytes.size()}, plain.size(), /*gzip=*/true};
    (void)ParseSha256Hex(sha, &chunk.stored.sha256);  // Sha256Hex's text always parses
    if (!seen_.insert(chunk.stored.sha256).second) return chunk;
    const auto sha_hex = [&]() -> const std::string& { return sha; };
    ARKWIKI_ASSIGN_OR_RETURN(
        StoreAs how, PlanStore(env_, repo_, held_, sha_hex, &chunk.stored.sha256, bytes.size()));
    if (how == StoreAs::kPacked) ARKWIKI_RETURN_IF_ERROR(packer_.AddBytes(sha, bytes));
    if (how == StoreAs::kLoose) ARKWIKI_RETURN_IF_ERROR(copier_.StoreBytes(sha, bytes));
    if (how != StoreAs::kNothing) stored_bytes_ += bytes.size();
    return chunk;
  }
  // The last pack written; the chunks are durable only after the snapshot's
  // file system sync.
  Status Finish() { return packer_.Finish(); }
  uint64_t stored_bytes() const { return stored_bytes_; }

 private:
  Env* env_;
  const RepoLayout& repo_;
  const HeldObjects& held_;
  ObjectCopier copier_;
  PackWriter packer_;
  ChunkCompressor compressor_;
  std::string stored_;  // the chunk being added, compressed
  std::set<Sha256Raw> seen_;
  uint64_t stored_bytes_ = 0;
};

// Step 4: the database checked as an import would check it (on a thread
// of its own: Snapshot says why that is safe).
Status CheckDatabase(Env* env, const std::string& db_path, const Cancellation& cancel) {
  Result<DatabaseCheck> checked = CheckUntrustedDatabase(
      env, db_path, [](const Sha256Raw&, uint64_t) {}, &cancel);
  if (checked.ok()) return Status::Ok();
  const StatusCode code = checked.status().code();
  if (code == StatusCode::kCancelled) return checked.status();
  if (code == StatusCode::kNoSpace || code == StatusCode::kIoError) {
    return checked.status().WithContext(
        "checking the database snapshot");  // the disk, not the data
  }
  return Status::Corruption("the database snapshot failed its check: " +
                            checked.status().message());
}

// Step 4, last part: the checked database snapshot at `db_path` split into
// chunks (repository/db_chunks.h), given to `storer`. Writes the chunk
// list to `list` as it goes, and closes it; each chunk's name leaves
// `damaged`. The caller makes the repository format version 5
// (kChunkedFormatVersion) before a restore point names the chunks.
Status StoreDatabaseChunks(Env* env, const std::string& db_path, ChunkStorer* storer,
                           WritableFile* list, std::set<std::string>* damaged) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(db_path));
  char header[100];
  ARKWIKI_ASSIGN_OR_RETURN(size_t head, file->ReadAt(0, header, sizeof(header)));
  Result<uint64_t> chunk_size = ChunkSizeOf(std::string_view(header, head));
  if (!chunk_size.ok()) {
    return Status::Corruption("the database snapshot: " + chunk_size.status().message());
  }
  // A longer list would be refused by every reader (ParseChunkList): the
  // point could be neither checked nor exported, and prune would stop.
  if (file->Size() > kMaxChunks * *chunk_size) {
    return Status::TooLarge("the database (" + std::to_string(file->Size()) +
                            " bytes) has more pages than a restore point holds (" +
                            std::to_string(kMaxChunks) +
                            "); use `arkwiki backup create` for an archive instead");
  }
  std::string buffer(static_cast<size_t>(*chunk_size), '\0');
  std::string text;  // lines of the list not yet written
  for (uint64_t offset = 0;;) {
    // ReadAt is short only at the end of the file.
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->ReadAt(offset, buffer.data(), buffer.size()));
    if (n == 0) break;
    offset += n;
    ARKWIKI_ASSIGN_OR_RETURN(ChunkRef chunk, storer->Add(std::string_view(buffer.data(), n)));
    AppendChunkLine(chunk, &text);
    // `damaged` is the set the storer's PlanStore reads (HeldObjects): a
    // name leaves it only once stored, and the storer never plans a
    // chunk it has seen again.
    if (!damaged->empty()) {
      damaged->erase(HexEncode(chunk.stored.sha256.data(), chunk.stored.sha256.size()));
    }
    if (text.size() >= kListBlockBytes) {
      ARKWIKI_RETURN_IF_ERROR(list->Append(text));
      text.clear();
    }
  }
  ARKWIKI_RETURN_IF_ERROR(list->Append(text));
  return list->Close();
}

// Step 4, after the database: the manifest's text cut into chunks
// (repository/manifest_chunks.h) as it is written, given to `storer`.
// Returns the chunk list. At most a chunk of the text is held at once,
// however many files the manifest lists.
Result<std::vector<ChunkRef>> StoreManifestChunks(const Manifest& manifest,
                                                  const ManifestFileStore& files,
                                                  ChunkStorer* storer) {
  std::vector<ChunkRef> chunks;
  ManifestCutter cutter([&](std::string_view piece) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(ChunkRef chunk, storer->Add(piece));
    chunks.push_back(chunk);
    return Status::Ok();
  });
  ARKWIKI_RETURN_IF_ERROR(
      StreamManifest(manifest, files, [&](std::string_view piece) { return cutter.Add(piece); }));
  ARKWIKI_RETURN_IF_ERROR(cutter.Finish());
  return chunks;
}

// Step 4, beside the check: the database snapshot and the manifest stored
// as chunks, the last pack written. The database's chunk list goes to
// `list` (database.chunks in the work area, through the repository's
// Env); the manifest's is returned.
Result<std::vector<ChunkRef>> StoreChunks(Env* env, const std::string& db_path,
                                          std::unique_ptr<WritableFile> list,
                                          const Manifest& manifest, const ManifestFileStore& files,
                                          ChunkStorer* storer, std::set<std::string>* damaged) {
  ARKWIKI_RETURN_IF_ERROR(StoreDatabaseChunks(env, db_path, storer, list.get(), damaged));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks,
                           StoreManifestChunks(manifest, files, storer));
  ARKWIKI_RETURN_IF_ERROR(storer->Finish());
  return chunks;
}

// The prefix of an encrypted repository's plaintext database snapshots in
// DATA/tmp/ (each followed by the restore point's id and ".db").
std::string ScratchPrefix(const OffsiteKey& key) {
  return "restore-point-" + key.repository_id() + "-";
}

// Removes what an interrupted snapshot of this repository left in DATA/tmp/
// (only with the repository lock held: no snapshot of it runs then).
Status RemoveScratchDatabases(Env* env, const DataDirLayout& layout, const OffsiteKey& key) {
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(layout.tmp));
  if (!exists) return Status::Ok();
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env->ListDir(layout.tmp));
  const std::string prefix = ScratchPrefix(key);
  for (const DirEntry& e : entries) {
    if (e.type == DirEntry::Type::kFile && e.name.compare(0, prefix.size(), prefix) == 0) {
      ARKWIKI_RETURN_IF_ERROR(env->RemoveFile(JoinPath(layout.tmp, e.name)));
    }
  }
  return Status::Ok();
}

// Removes the plaintext database snapshot of an encrypted repository's
// snapshot, whatever the snapshot's outcome (a failure to remove it is
// repaired by the next snapshot's RemoveScratchDatabases).
class ScratchDatabase {
 public:
  ScratchDatabase(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  ~ScratchDatabase() {
    if (!path_.empty()) (void)env_->RemoveFile(path_);  // absent if never taken
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

 private:
  Env* env_;
  std::string path_;
};

// Step 5: durable, then the manifest's chunk list, then the commit.
Status Commit(Env* env, const RepoLayout& repo, const std::string& work, const SnapshotInfo& info,
              const std::vector<ChunkRef>& manifest_chunks, FileSystemSync* fs_sync) {
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, JoinPath(work, kPointMeta), PointMetaJson(info)));
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, JoinPath(work, kPointCheck), CheckJson(info.check)));
  ARKWIKI_RETURN_IF_ERROR(fs_sync->Sync());
  CrashPoint("repository.snapshot.before_manifest");
  ARKWIKI_RETURN_IF_ERROR(WriteManifestList(env, work, manifest_chunks));
  CrashPoint("repository.snapshot.before_commit");
  ARKWIKI_RETURN_IF_ERROR(env->Rename(work, repo.SnapshotDir(info.id)));
  if (Status s = env->SyncDir(repo.snapshots); !s.ok()) {
    // Not known to be durable: take it back, so that a failed snapshot
    // leaves no restore point. If that fails too, it stays, complete.
    (void)env->Rename(repo.SnapshotDir(info.id), JoinPath(repo.trash, info.id));
    return s;
  }
  return Status::Ok();
}

}  // namespace

Result<SnapshotInfo> Repository::Snapshot(const SnapshotRequest& request) {
  // 1. The lock, and what an interrupted run left.
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "writing a restore point"));
  ARKWIKI_RETURN_IF_ERROR(CleanWorkAreas(env_, repo));
  if (key_) ARKWIKI_RETURN_IF_ERROR(RemoveScratchDatabases(raw_env_, layout_, *key_));
  // Opened before the first write, so its Sync covers every one of them.
  ARKWIKI_ASSIGN_OR_RETURN(auto fs_sync, env_->NewFileSystemSync(repo.root));
  // 2. The database and settings, with uploads pinned until the end.
  ARKWIKI_ASSIGN_OR_RETURN(auto gc_pin, UploadsGcLock::AcquireShared(layout_));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env_, repo));
  SnapshotInfo info;
  info.created = NowUnixSeconds();
  info.id = NewSnapshotId(info.created, ids.empty() ? "" : ids.back());
  info.trigger = request.trigger;
  info.made_by = request.made_by;
  info.label = request.label;
  const std::string work = JoinPath(repo.tmp, info.id);
  // Plaintext never reaches an encrypted repository's disk: the snapshot is
  // taken and checked on the live data's disk, then sealed.
  const std::string db_path = key_ ? JoinPath(layout_.tmp, ScratchPrefix(*key_) + info.id + ".db")
                                   : JoinPath(work, kDatabasePath);
  ScratchDatabase scratch(raw_env_, key_ ? db_path : "");
  // The list of files spills past manifest_files_held_ (an encrypted
  // repository's to the live data's disk: the hashes are plaintext).
  ARKWIKI_ASSIGN_OR_RETURN(const std::string list_scratch, ManifestScratchDir());
  ManifestFileStore files = ManifestFileStore::InDir(raw_env_, list_scratch, manifest_files_held_);
  ARKWIKI_ASSIGN_OR_RETURN(const Manifest manifest,
                           TakeDatabase(env_, layout_, work, db_path, info.created, &files));
  ARKWIKI_ASSIGN_OR_RETURN(const std::vector<ManifestFile> own, files.First(2));
  if (own.size() < 2) return Status::IoError("the restore point's list of files lost its start");
  // 4. The database checked, on a thread of its own from here to the end of
  // step 4: the copy is finished and only read from now on (the chunks are
  // read from it too). The check opens its own SQLite connection (mode=ro,
  // query_only; the copy is in rollback-journal mode, so no -journal, -wal
  // or -shm file is made beside it) and reaches files only through
  // raw_env_ (the copy is never sealed; the POSIX Env and the test Envs,
  // fault injection included, are safe to call from two threads, which
  // this needs of any Env given to Repository::Open). It touches no crash
  // point and nothing else of this snapshot. Closing the chunks'
  // descriptor of the copy drops the POSIX locks SQLite holds on it;
  // nothing writes the copy, so they guard nothing here.
  // Declared after `scratch`: joined before the copy is removed; a step
  // that fails before the join cancels the check instead of waiting it out.
  // Fault sweeps (FaultInjectionEnv) stay deterministic: they count
  // mutating operations, and the check makes none unless it sorts more
  // than kUploadRowsPerRun upload rows in runs on disk, so the operations
  // of this thread are numbered as before.
  CheckThread check([env = raw_env_, db_path](const Cancellation& cancel) {
    return CheckDatabase(env, db_path, cancel);
  });
  // 3. The uploads objects/ lacks (or holds damaged).
  ARKWIKI_ASSIGN_OR_RETURN(std::set<std::string> damaged, ReadDamagedList(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(const PackIndex packs, PackIndex::Load(raw_env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(const std::vector<Sha256Raw> loose, ListLooseObjects(raw_env_, repo));
  const bool any_damaged = !damaged.empty();  // storing the chunks repairs some
  const HeldObjects held{loose, packs, damaged, key_.get()};
  uint64_t copy_bytes = 0;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<PlannedCopy> copies,
                           PlanCopies(raw_env_, repo, held, files, &copy_bytes));
  // The check's runs of upload rows lie beside a plain repository's copy,
  // in tmp/<id>/, while the uploads and chunks are written (an encrypted
  // repository's, in DATA/tmp/, on the live disk).
  const uint64_t check_runs = key_ ? 0 : UploadRowsScratchBytes(manifest.counts.uploads);
  ARKWIKI_RETURN_IF_ERROR(CheckFreeSpace(env_, repo.objects,
                                         copy_bytes + own[0].size + check_runs + (1 << 20),
                                         "the uploads of a restore point"));
  ARKWIKI_RETURN_IF_ERROR(StoreUploads(raw_env_, layout_, repo, key_.get(), files, copies));
  // The copy as chunks, and the manifest; their lists replace them in the
  // restore point. Errors are reported in the order of the steps: one of
  // the steps above first (the check's outcome is dropped), then a failed
  // check, then an error storing the chunks (of a copy that fails its
  // check, possibly for the same reason).
  ChunkStorer storer(raw_env_, repo, held);
  Result<std::vector<ChunkRef>> manifest_chunks = [&]() -> Result<std::vector<ChunkRef>> {
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(JoinPath(work, "database")));
    ARKWIKI_ASSIGN_OR_RETURN(auto list, env_->NewWritableFile(JoinPath(work, kDatabaseChunksPath),
                                                              CreateMode::kExclusive));
    return StoreChunks(raw_env_, db_path, std::move(list), manifest, files, &storer, &damaged);
  }();
  ARKWIKI_RETURN_IF_ERROR(check.Join());
  ARKWIKI_RETURN_IF_ERROR(manifest_chunks.status());
  // Only a snapshot that will make a point changes the format: chunks that
  // no point names are invisible to an arkwiki that reads an older one.
  ARKWIKI_RETURN_IF_ERROR(UpgradeRepositoryFormat(raw_env_, repo, kChunkedFormatVersion));
  CrashPoint("repository.snapshot.after_chunks");
  if (!key_) ARKWIKI_RETURN_IF_ERROR(env_->RemoveFile(db_path));
  // 5. The commit.
  info.total_bytes = static_cast<uint64_t>(manifest.counts.bytes);
  info.new_bytes = storer.stored_bytes() + own[1].size + copy_bytes;
  info.file_count = files.size();
  info.check = {CheckStatus::State::kPassed, NowUnixSeconds(), ""};
  ARKWIKI_RETURN_IF_ERROR(Commit(env_, repo, work, info, *manifest_chunks, fs_sync.get()));
  // Repaired objects leave the damaged list. Failing to rewrite it is not a
  // failed snapshot: an entry left behind only costs one more copy, and the
  // next check rewrites the list anyway.
  if (any_damaged) {
    // A failure to read the list back keeps the copies' names in the list.
    (void)ForEachCopy(files, copies, [&](const PlannedCopy&, const ManifestFile& f) {
      damaged.erase(f.sha256);
      return Status::Ok();
    });
    for (const ChunkRef& c : *manifest_chunks) {  // the database's left it as they were stored
      damaged.erase(HexEncode(c.stored.sha256.data(), c.stored.sha256.size()));
    }
    (void)WriteDamagedList(env_, repo, damaged);
  }
  return info;
}

}  // namespace arkwiki
