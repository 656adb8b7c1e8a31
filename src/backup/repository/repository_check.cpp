// Repository::Check: verifying restore points and re-hashing objects
// (uploads and database chunks).
#include <functional>
#include <map>
#include <set>

#include "arkwiki/backup/repository.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "policy/read_subset.h"
#include "repository/db_chunks.h"
#include "repository/object_marks.h"
#include "repository/object_store.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

// Whether `options` asks for this object to be re-hashed.
bool Selected(const Sha256Raw& sha256, const CheckOptions& options) {
  uint64_t head = 0;
  for (int i = 0; i < 8; ++i) head = (head << 8) | sha256[i];
  return InReadSubset(head, options);
}

// The restore point's own files: its manifest, database and settings. A
// manifest stored as chunks: its list, the chunks to *manifest_chunks (to
// be checked as objects, even when the manifest cannot be read), the
// manifest read through `stored` (which reassembles it, checking each
// chunk, and the manifest's own checksum), its files into `files`, its
// database's entry to *database. A database stored as chunks: its list,
// whose sizes must add up to the database's; the chunks go to *chunks, to
// be checked as objects.
Status CheckPointFiles(Env* env, Env* stored, const std::string& dir, ManifestFileStore* files,
                       ManifestFile* database, std::vector<ChunkRef>* chunks,
                       std::vector<ChunkRef>* manifest_chunks) {
  Result<std::vector<ChunkRef>> manifest_listed = ReadPointChunks(env, dir, kManifestChunks);
  if (!manifest_listed.ok()) return Status::Corruption(manifest_listed.status().message());
  *manifest_chunks = std::move(manifest_listed).value();
  ARKWIKI_RETURN_IF_ERROR(ReadPointManifest(stored, dir, files).status());
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ManifestFile> own, files->First(2));
  if (own.size() < 2) return Status::Corruption("its manifest lists no database");
  *database = own[0];
  Result<std::vector<ChunkRef>> listed = ReadPointChunks(env, dir);
  if (!listed.ok()) return Status::Corruption(listed.status().message());
  *chunks = std::move(listed).value();
  if (!chunks->empty() && ChunkedSize(*chunks) != database->size) {
    return Status::Corruption(std::string(kDatabaseChunksPath) + " is damaged");
  }
  for (size_t i = chunks->empty() ? 0 : 1; i < 2; ++i) {
    const ManifestFile& f = own[i];
    Result<FileDigest> digest = Sha256File(env, JoinPath(dir, f.path));
    if (!digest.ok()) return Status::Corruption(f.path + ": " + digest.status().message());
    if (digest->sha256 != f.sha256 || digest->size != f.size) {
      return Status::Corruption(f.path + " is damaged");
    }
  }
  return Status::Ok();
}

// Each distinct object the restore points name, checked once: present with
// its size, and re-hashed if selected. A packed object is checked when it is
// first named (ObjectMarks remembers it by a bit); one in no pack (loose,
// or missing) is checked by Finish. `stored` reads packed objects as files,
// sealed ones decrypted (OpenStoredObjects); `packs` is the index it reads
// through, which names sealed objects by their keyed names (`key`).
class ObjectChecker {
 public:
  ObjectChecker(Env* stored, const RepoLayout& repo, const PackIndex& packs, const OffsiteKey* key,
                const CheckOptions& options, CheckReport* report)
      : stored_(stored),
        repo_(repo),
        options_(options),
        report_(report),
        marks_(packs, key),
        check_first_([this](const ObjectRef& ref, ObjectMarks::Marked marked) {
          return marked == ObjectMarks::Marked::kFirstPacked ? Check(ref) : Status::Ok();
        }) {}
  ObjectChecker(const ObjectChecker&) = delete;  // check_first_ holds `this`
  ObjectChecker& operator=(const ObjectChecker&) = delete;

  // The objects storing `chunks`. The error when the check itself cannot
  // read.
  Status AddChunks(const std::vector<ChunkRef>& chunks) {
    return marks_.MarkChunks(chunks, check_first_);
  }
  // The same; also the store's error when its scratch file cannot be read.
  Status AddUploads(const ManifestFileStore& files) {
    return marks_.MarkUploads(files, check_first_);
  }
  // Checks the objects in no pack. The damaged objects, as hash -> problem.
  Result<std::map<std::string, std::string>> Finish() {
    for (const ObjectRef& o : marks_.unpacked().objects()) ARKWIKI_RETURN_IF_ERROR(Check(o));
    return std::move(damaged_);
  }

 private:
  Status Check(const ObjectRef& o) {
    const std::string sha = HexEncode(o.sha256.data(), o.sha256.size());
    Status s;
    if (Selected(o.sha256, options_)) {
      s = VerifyObject(stored_, repo_, sha, o.size, &report_->bytes_hashed);
      ++report_->objects_checked;
    } else {
      Result<uint64_t> size = stored_->GetFileSize(repo_.ObjectPath(sha));
      if (!size.ok() && size.status().code() == StatusCode::kNotFound) {
        s = Status::NotFound("missing");
      } else if (!size.ok()) {
        s = size.status();
      } else if (*size != o.size) {
        s = Status::Corruption("wrong size");
      }
    }
    if (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kCorruption) {
      damaged_[sha] = s.message();
      return Status::Ok();
    }
    return s;  // not ok: the check itself could not read
  }

  Env* stored_;
  const RepoLayout& repo_;
  const CheckOptions& options_;
  CheckReport* report_;
  ObjectMarks marks_;
  const std::function<Status(const ObjectRef&, ObjectMarks::Marked)> check_first_;
  std::map<std::string, std::string> damaged_;
};

// A chunked database whose chunks are all intact can still be the wrong
// database: a list with lines swapped, or naming other chunks of the same
// size, adds up to the right size. So each such point's database is read
// back through `env` (which reassembles it, checking every chunk) and hashed
// against its manifest, as a whole database file is in CheckPointFiles.
// Points already failed are skipped.
Status CheckChunkedDatabases(Env* env, const RepoLayout& repo,
                             const std::map<std::string, ManifestFile>& databases,
                             std::map<std::string, std::string>* problems, CheckReport* report) {
  for (const auto& [id, f] : databases) {
    if (problems->count(id)) continue;
    Result<FileDigest> digest = Sha256File(env, JoinPath(repo.SnapshotDir(id), f.path));
    std::string why;
    if (!digest.ok() && digest.status().code() != StatusCode::kCorruption &&
        digest.status().code() != StatusCode::kNotFound) {
      return digest.status();  // the check itself could not read
    }
    if (!digest.ok()) {
      why = f.path + ": " + digest.status().message();
    } else if (digest->sha256 != f.sha256 || digest->size != f.size) {
      why = f.path + " put together from its chunks does not match its manifest (" +
            kDatabaseChunksPath + " is damaged)";
    } else {
      report->bytes_hashed += digest->size;
      continue;
    }
    std::string problem = id;
    problem.append(": ").append(why);
    report->snapshot_problems.push_back(std::move(problem));
    (*problems)[id] = std::move(why);
  }
  return Status::Ok();
}

// Which restore points need each damaged object (their manifests read
// again, through `stored`, their files spilled as `new_files()` does);
// adds to `problems` the ones that do. A point that failed already (as one
// whose manifest chunk is damaged has: its manifest could not be read) is
// still named for its manifest's chunks.
template <typename NewFiles>
Status AttributeDamage(Env* env, Env* stored, const NewFiles& new_files, const RepoLayout& repo,
                       const std::vector<std::string>& ids,
                       const std::map<std::string, std::string>& damaged,
                       std::map<std::string, std::string>* problems, CheckReport* report) {
  std::map<std::string, DamagedObject> by_hash;
  for (const auto& [sha, problem] : damaged) by_hash[sha] = {sha, problem, {}};
  for (const std::string& id : damaged.empty() ? std::vector<std::string>{} : ids) {
    const std::string dir = repo.SnapshotDir(id);
    const auto need = [&](const std::string& sha) {
      auto it = by_hash.find(sha);
      if (it == by_hash.end()) return false;
      // A chunk may be named twice in one database: the point is named once.
      if (it->second.snapshots.empty() || it->second.snapshots.back() != id) {
        it->second.snapshots.push_back(id);
      }
      return true;
    };
    Result<std::vector<ChunkRef>> manifest_chunks = ReadPointChunks(env, dir, kManifestChunks);
    size_t manifest_needs = 0;
    for (const ChunkRef& c : manifest_chunks.ok() ? *manifest_chunks : std::vector<ChunkRef>{}) {
      manifest_needs += need(HexEncode(c.stored.sha256.data(), c.stored.sha256.size()));
    }
    if (problems->count(id)) continue;
    if (manifest_needs > 0) {
      (*problems)[id] = std::to_string(manifest_needs) + " chunk(s) of its manifest are damaged";
      continue;
    }
    ManifestFileStore files = new_files();
    ARKWIKI_RETURN_IF_ERROR(ReadPointManifest(stored, dir, &files).status());
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, ReadPointChunks(env, dir));
    size_t needs = 0;
    ManifestFileStore::Cursor cursor = files.Walk();
    for (size_t i = 0;; ++i) {
      ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
      if (f == nullptr) break;
      if (i < 2) continue;  // the database and the settings
      needs +=
          need(f->upload_hash != nullptr ? HexEncode(f->upload_hash->data(), f->upload_hash->size())
                                         : f->other->sha256);
    }
    size_t chunks_needed = 0;
    for (const ChunkRef& c : chunks) {
      chunks_needed += need(HexEncode(c.stored.sha256.data(), c.stored.sha256.size()));
    }
    if (needs > 0 || chunks_needed > 0) {
      std::string why;
      if (needs > 0) why = std::to_string(needs) + " stored upload(s) it needs are damaged";
      if (chunks_needed > 0) {
        why += std::string(why.empty() ? "" : "; ") + std::to_string(chunks_needed) +
               " chunk(s) of its database are damaged";
      }
      (*problems)[id] = why;
    }
  }
  for (auto& [sha, object] : by_hash) report->damaged.push_back(std::move(object));
  return Status::Ok();
}

// The outcome, for List and the next snapshot's repairs: each restore
// point's check.json and the damaged-objects list.
Status WriteOutcome(Env* env, const RepoLayout& repo, const std::vector<std::string>& ids,
                    const std::map<std::string, std::string>& problems, const CheckReport& report) {
  const int64_t now = NowUnixSeconds();
  for (const std::string& id : ids) {
    auto it = problems.find(id);
    const bool passed = it == problems.end();
    CheckStatus status{passed ? CheckStatus::State::kPassed : CheckStatus::State::kFailed, now,
                       passed ? "" : it->second};
    ARKWIKI_RETURN_IF_ERROR(
        WriteFileAtomically(env, JoinPath(repo.SnapshotDir(id), kPointCheck), CheckJson(status)));
  }
  std::set<std::string> damaged_list;
  for (const DamagedObject& d : report.damaged) damaged_list.insert(d.sha256);
  return WriteDamagedList(env, repo, damaged_list);
}

}  // namespace

Result<CheckReport> Repository::Check(const CheckOptions& options) {
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "checking"));
  ARKWIKI_RETURN_IF_ERROR(CleanWorkAreas(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env_, repo));
  CheckReport report;
  std::map<std::string, std::string> problems;            // id -> why it failed
  std::map<std::string, ManifestFile> chunked_databases;  // id -> its manifest's database entry
  // Objects read wherever they are stored: loose, or inside a pack; a
  // chunked manifest or database as one file.
  const PackIndex* packs = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenStoredObjects(raw_env_, repo, key_.get(), &packs));
  ObjectChecker objects(stored.get(), repo, *packs, key_.get(), options, &report);
  // A manifest's files past manifest_files_held_ go to a scratch file.
  ARKWIKI_ASSIGN_OR_RETURN(const std::string scratch, ManifestScratchDir());
  const auto new_files = [&] {
    return ManifestFileStore::InDir(raw_env_, scratch, manifest_files_held_);
  };
  for (const std::string& id : ids) {
    ManifestFileStore files = new_files();
    ManifestFile database;
    std::vector<ChunkRef> chunks;
    std::vector<ChunkRef> manifest_chunks;
    Status s = CheckPointFiles(env_, stored.get(), repo.SnapshotDir(id), &files, &database, &chunks,
                               &manifest_chunks);
    // The scratch file failed: the check's own failure, not the point's.
    if (files.failed()) return s;
    ARKWIKI_RETURN_IF_ERROR(objects.AddChunks(manifest_chunks));
    if (!s.ok()) {
      problems[id] = s.message();
      report.snapshot_problems.push_back(id + ": " + s.message());
    } else {
      if (!chunks.empty()) chunked_databases.emplace(id, database);
      ARKWIKI_RETURN_IF_ERROR(objects.AddUploads(files));
      ARKWIKI_RETURN_IF_ERROR(objects.AddChunks(chunks));
    }
    ++report.snapshots_checked;
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto damaged, objects.Finish());
  ARKWIKI_RETURN_IF_ERROR(
      AttributeDamage(env_, stored.get(), new_files, repo, ids, damaged, &problems, &report));
  ARKWIKI_RETURN_IF_ERROR(
      CheckChunkedDatabases(stored.get(), repo, chunked_databases, &problems, &report));
  ARKWIKI_RETURN_IF_ERROR(WriteOutcome(env_, repo, ids, problems, report));
  return report;
}

}  // namespace arkwiki
