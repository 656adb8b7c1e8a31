// The copy engine (steps and crash behaviour: arkwiki/backup/offsite.h).
#include <malloc.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "arkwiki/backup/offsite.h"
#include "arkwiki/core/log.h"
#include "format/manifest_parser.h"
#include "offsite/offsite_record.h"
#include "offsite/offsite_send.h"
#include "repository/object_store.h"
#include "repository/packed_env.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

// The names of the objects on the target, with their sizes.
using PresentObjects = std::map<std::string, uint64_t>;

// The packed objects the newest record on the target names, and its id
// ("" when there is none): reused, and replaced by the index of each
// record a copy puts that is newer. Loaded (ReusablePacked) when first
// asked for; a replacement is held as its writer and read into an index
// only when the next restore point asks, so that the last one never is.
// Release drops the index; Get then reads it again from its source (the
// writer is kept for that).
class NewestIndex {
 public:
  using Loader = std::function<Result<OffsitePackIndex>()>;
  NewestIndex(std::string id, Loader load) : id_(std::move(id)), load_(std::move(load)) {}
  const std::string& id() const { return id_; }
  Result<const OffsitePackIndex*> Get() {
    if (index_) return &*index_;
    if (written_) {
      ARKWIKI_ASSIGN_OR_RETURN(index_, written_->ToIndex());
    } else {
      ARKWIKI_ASSIGN_OR_RETURN(index_, load_());
    }
    return &*index_;
  }
  void Release() { index_.reset(); }
  void Replace(std::string id, OffsitePackIndexWriter written) {
    index_.reset();
    written_ = std::move(written);
    id_ = std::move(id);
  }

 private:
  std::string id_;
  Loader load_;  // the target's newest record's, until Replace
  std::optional<OffsitePackIndex> index_;
  std::optional<OffsitePackIndexWriter> written_;  // since Replace
};

// Why a copy walks a restore point's files twice: a first pass notes
// what the target holds, through the target's newest index (20 bytes a
// packed file); a second sends the rest, reading them through the local
// repository's pack index (20 bytes an object). At 1,000,000 small files
// each is 20 MB, and holding both at once took a copy past 64 MiB. Only
// one is held at a time: the local one is released for the first pass
// and loaded again for the second, and the target's is dropped before
// the second. A point older than the target's newest does not replace
// that index, so the next point reads it again (from the target, or from
// the writer of the record this copy put): the price of a rare case.
struct CopyContext {
  Env* env;
  PackedObjectsEnv* local_packs;  // inside env
  const RepoLayout& repo;
  OffsiteTarget* target;
  const OffsiteKey& key;
  PresentObjects* present;
  NewestIndex* newest;
  const Cancellation* cancel;
  const OffsiteScratch& scratch;  // for the restore point's file list
};

// Returns the pages of the index just released to the system. Why: glibc
// maps an allocation of 20 MB of its own, and unmaps it when freed, but
// then raises its mmap threshold to that size, so the next index comes
// from the heap, whose freed pages it keeps. The copy's two indexes, each
// released in turn, thus cost their sum: 65.4 MiB peak RSS at 1,000,000
// files against 50.7 with the pages given back (benchmarks/README.md,
// "Off-site copy and restore at 1,000,000 files").
void GiveBackFreedMemory() { ::malloc_trim(0); }

// Local path of manifest file `file` of restore point `id`.
std::string LocalPath(const RepoLayout& repo, const std::string& id, const ManifestFile& file) {
  const std::string_view upload = UploadEntryHash(file.path);
  if (!upload.empty()) return repo.ObjectPath(std::string(upload));
  return JoinPath(repo.SnapshotDir(id), file.path);
}

// Sends one file of at least kPackedFileLimit bytes as the object `name`,
// sealed as it is sent (PutObject).
Status SendLoose(const CopyContext& c, const std::string& from, const ManifestFile& file,
                 const std::string& name) {
  SealedFile sealed(c.env, from, file, c.key, ObjectKey(name));
  return PutObject(c.env, c.target, ObjectKey(name), &sealed, c.repo.copy_tmp);
}

// Whether the target holds object `name` of `size` bytes loose.
bool HeldLoose(const CopyContext& c, const std::string& name, uint64_t size) {
  auto it = c.present->find(name);
  return it != c.present->end() && it->second == EncryptedSize(size);
}

// Step 3's first pass: notes in `to_send` each file the target lacks,
// loose or in a pack its newest record names; where each packed one it
// holds lies goes into `record`.
Status NoteWhatTheTargetHolds(const CopyContext& c, const ManifestFileStore& files,
                              OffsitePackIndexWriter* record, std::vector<bool>* to_send,
                              OffsiteCopyResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(const OffsitePackIndex* newest, c.newest->Get());
  to_send->assign(files.size(), false);
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) return Status::Ok();
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(c.key, *f));
    if (HeldLoose(c, name, f->size)) {
      ++result->objects_present;
    } else if (auto at = newest->Find(name)) {
      ++result->objects_present;
      ARKWIKI_RETURN_IF_ERROR(record->Add(name, at->pack, at->offset));
    } else {
      (*to_send)[i] = true;
    }
  }
}

// Step 3's second pass, for one file the first found missing: sends it
// unless this copy has sent it already (a file named twice in the point);
// a small file goes into `pack`. Where each packed file lies goes into
// `record`.
Status SendFile(const CopyContext& c, const std::string& id, const ManifestFileStore::File& f,
                PackBuffer* pack, OffsitePackIndexWriter* record, OffsiteCopyResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(c.key, f));
  const uint64_t size = f.size;
  const uint64_t sealed_size = EncryptedSize(size);
  if (HeldLoose(c, name, size)) {
    ++result->objects_present;
    return Status::Ok();
  }
  if (auto at = pack->Pending(name)) {
    ++result->objects_present;
    return record->Add(name, at->pack, at->offset);
  }
  const ManifestFile file = f.Get();
  const std::string from = LocalPath(c.repo, id, file);
  if (size < kPackedFileLimit) {
    ARKWIKI_RETURN_IF_ERROR(
        pack->Append(c.env, from, file, c.key, name, record)
            .WithContext("copying " + file.path + " to " + c.target->Describe()));
    ++result->objects_sent;
    return pack->full() ? pack->Put(result) : Status::Ok();
  }
  ARKWIKI_RETURN_IF_ERROR(SendLoose(c, from, file, name)
                              .WithContext("copying " + file.path + " to " + c.target->Describe()));
  (*c.present)[name] = sealed_size;
  ++result->objects_sent;
  result->bytes_sent += sealed_size;
  return Status::Ok();
}

// The record of a restore point as a streamed object: sealed as it is
// written, the pack index line by line and the manifest read from the
// restore point in blocks at each attempt, so that it is never whole in
// memory (about 300 bytes a file).
class SealedRecord final : public StreamedObject {
 public:
  SealedRecord(const OffsiteRecord& record, const OffsitePackIndexWriter& packed,
               uint64_t index_bytes, const RandomAccessFile& manifest, const OffsiteKey& key)
      : record_(record),
        packed_(packed),
        index_bytes_(index_bytes),
        manifest_(manifest),
        key_(key) {}
  uint64_t Size() const override {
    return EncryptedSize(RecordPlaintextSize(record_, packed_, index_bytes_, manifest_.Size()));
  }
  Status WriteTo(ByteSink* out) override {
    EncryptingSink sink(key_, RecordKey(record_.id), out);
    ARKWIKI_RETURN_IF_ERROR(
        WriteRecordPlaintext(record_, packed_, index_bytes_, &manifest_, &sink));
    return sink.Finish();
  }

 private:
  const OffsiteRecord& record_;
  const OffsitePackIndexWriter& packed_;
  uint64_t index_bytes_;
  const RandomAccessFile& manifest_;
  const OffsiteKey& key_;
};

Status RecordTooLarge(const std::string& id, uint64_t bytes) {
  return Status::TooLarge("the off-site record of restore point " + id + " would be " +
                          std::to_string(bytes) + " bytes, more than a record may hold (" +
                          std::to_string(kMaxRecordBytes) +
                          "); it has too many files for an off-site copy");
}

// Step 4: the record, sealed as it is sent (PutObject).
Status PutRecord(const CopyContext& c, const OffsiteRecord& record,
                 const OffsitePackIndexWriter& packed, const RandomAccessFile& manifest,
                 OffsiteCopyResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t index_bytes, packed.TextSize());
  SealedRecord sealed(record, packed, index_bytes, manifest, c.key);
  const uint64_t size = sealed.Size();
  // No arkwiki would read it back (ReadRecord).
  if (size > kMaxRecordBytes) return RecordTooLarge(record.id, size);
  ARKWIKI_RETURN_IF_ERROR(
      PutObject(c.env, c.target, RecordKey(record.id), &sealed, c.repo.copy_tmp));
  result->bytes_sent += size;
  return Status::Ok();
}

// The restore point's manifest.json (at `dir`), copied into a private
// scratch file. The copy parses it from there, and reads it from there
// again for the record, so that neither needs the local pack index, which
// a chunked manifest's chunks are found through (and a point deleted
// meanwhile still gets its record). About 200 bytes a file, written once.
Result<std::unique_ptr<RandomAccessFile>> CopyManifest(const CopyContext& c,
                                                       const std::string& dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, c.env->NewRandomAccessFile(JoinPath(dir, kPointManifest)));
  ARKWIKI_ASSIGN_OR_RETURN(UnnamedFile copy, CreateScratchFile(c.scratch, "arkwiki-manifest-"));
  ARKWIKI_RETURN_IF_ERROR(AppendFileTo(*stored, copy.out.get())
                              .WithContext("copying " + JoinPath(dir, kPointManifest) +
                                           " to a scratch file in " + c.scratch.dir));
  ARKWIKI_RETURN_IF_ERROR(copy.out->Close());
  return std::unique_ptr<RandomAccessFile>(new FileWindow(std::move(copy.in), 0, stored->Size()));
}

Result<OffsiteCopyResult> CopyLocked(const CopyContext& c, const std::string& id) {
  if (!IsSnapshotId(id)) return Status::NotFound("no restore point '" + id + "'");
  const std::string dir = c.repo.SnapshotDir(id);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, PointIsComplete(c.env, dir));
  if (!exists) return Status::NotFound("no restore point " + id + " in " + c.repo.root);
  ARKWIKI_ASSIGN_OR_RETURN(SnapshotInfo info, ReadPointInfo(c.env, c.repo, id));
  if (info.check.state == CheckStatus::State::kFailed) {
    return Status::Corruption("restore point " + id + " failed its last check (" +
                              info.check.message + "); it is not copied off-site");
  }
  OffsiteRecord record{c.key.repository_id(), id, "", ""};
  ARKWIKI_ASSIGN_OR_RETURN(record.point_json,
                           ReadFileToString(c.env, JoinPath(dir, kPointMeta), 1 << 20));
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> manifest_file, CopyManifest(c, dir));
  ARKWIKI_RETURN_IF_ERROR(c.env->CreateDirs(c.repo.copy_tmp));
  ManifestFileStore files = NewFileStore(c.scratch);
  ARKWIKI_RETURN_IF_ERROR(ParseManifestFile(*manifest_file, &files).status());
  c.local_packs->ReleaseIndex();
  GiveBackFreedMemory();
  // A restore point too large for a record is refused before anything is
  // sent: as if every file were packed (each adds a line to the record's index)
  // and every byte of restore-point.json escaped as \u00XX in the header.
  const uint64_t largest = EncryptedSize(manifest_file->Size() + 6 * record.point_json.size() +
                                         kRecordHeaderBytes + kMaxIndexLineBytes * files.size());
  if (largest > kMaxRecordBytes) return RecordTooLarge(id, largest);
  OffsitePackIndexWriter packed(c.scratch);
  OffsiteCopyResult result;
  result.id = id;
  std::vector<bool> to_send;
  ARKWIKI_RETURN_IF_ERROR(NoteWhatTheTargetHolds(c, files, &packed, &to_send, &result));
  c.newest->Release();
  GiveBackFreedMemory();
  PackBuffer pack(c.target);
  const uint64_t unchecked_before = c.target->UncheckedPuts();
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) break;
    if (to_send[i]) ARKWIKI_RETURN_IF_ERROR(SendFile(c, id, *f, &pack, &packed, &result));
  }
  ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
  ARKWIKI_RETURN_IF_ERROR(pack.Put(&result));
  c.local_packs->ReleaseIndex();  // the record needs neither index
  GiveBackFreedMemory();
  // The last place to stop: once the record is put, the point is on the target.
  ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
  ARKWIKI_RETURN_IF_ERROR(PutRecord(c, record, packed, *manifest_file, &result));
  // A record newer than the target's newest is reused by the next point of
  // CopyMissing.
  if (id > c.newest->id()) c.newest->Replace(id, std::move(packed));
  result.puts_unchecked = c.target->UncheckedPuts() - unchecked_before;
  if (result.puts_unchecked > 0) {
    LogWarning("off-site copy of " + id + " to " + c.target->Describe() + ": " +
               std::to_string(result.puts_unchecked) +
               " objects were stored without a check of the bytes on arrival (the target's ETag "
               "is no MD5 of the body, as under SSE-KMS or from some gateways); decrypting them "
               "checks them (`arkwiki backup check --target ... --read-all`)");
  }
  return result;
}

// The packed objects the newest record on the target names, which a copy
// may name again without sending them: those in packs that the target
// lists long enough to hold every file of the record in them, as a loose
// object is reused only when it is listed with its size. Objects in a pack
// that is missing or cut short (sent again whole), or that no record names
// (one put by a copy that failed before its record: on a directory target
// it may not have reached the disk whole), are sent again.
Result<OffsitePackIndex> ReusablePacked(OffsiteTarget* target, const OffsiteKey& key,
                                        const std::vector<std::string>& record_ids,
                                        const OffsiteScratch& scratch) {
  if (record_ids.empty()) return OffsitePackIndex();
  ARKWIKI_ASSIGN_OR_RETURN(ReadBackRecord newest,
                           ReadRecord(target, key, record_ids.back(), scratch));
  OffsitePackIndex packed = std::move(newest.packed);
  if (packed.empty()) return packed;
  ARKWIKI_ASSIGN_OR_RETURN(auto pack_sizes, ListSizes(target, kPacksPrefix));
  ManifestFileStore files = NewFileStore(scratch);
  ARKWIKI_RETURN_IF_ERROR(ParseRecordManifest(newest, &files).status());
  // How long each pack must be: past the end of its last file.
  std::map<std::string, uint64_t, std::less<>> needed;
  ManifestFileStore::Cursor cursor = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) break;
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, *f));
    const auto at = packed.Find(name);
    if (!at) continue;
    uint64_t& end = needed[std::string(at->pack)];
    end = std::max(end, at->offset + EncryptedSize(f->size));
  }
  // A pack the manifest does not reach, or one listed shorter than its
  // files reach, is not reused at all; nor is an entry the manifest does
  // not name that lies past its pack's end.
  packed.RetainIf([&](std::string_view pack, uint64_t offset) {
    const auto size = pack_sizes.find(std::string(pack));
    const auto end = needed.find(pack);
    return size != pack_sizes.end() && end != needed.end() && size->second >= end->second &&
           offset < size->second;
  });
  return packed;
}

// Where a copy spills (OffsiteCopier::SetScratchDir), created.
Result<OffsiteScratch> CopyScratch(Env* env, const RepoLayout& repo, const std::string& dir) {
  OffsiteScratch scratch;
  scratch.env = env;
  scratch.dir = dir.empty() ? repo.copy_tmp : dir;
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(scratch.dir));
  return scratch;
}

// The repository's objects and restore points as plaintext files: packed
// objects read out of their packs, and in an encrypted repository every
// file decrypted with `local_key`, which it then needs.
Result<std::unique_ptr<Env>> OpenLocal(Env* env, const RepoLayout& repo,
                                       const OffsiteKey* local_key, PackedObjectsEnv** packs) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, repo.format_file, 1 << 20));
  Result<RepositoryFormat> format = ParseRepositoryJson(text);
  ARKWIKI_RETURN_IF_ERROR(format.status().WithContext(repo.format_file));
  if (format->encrypted && local_key == nullptr) {
    return Status::PermissionDenied("the repository of restore points " + repo.root +
                                    " is encrypted: the off-site copy needs its passphrase "
                                    "(backup_passphrase_file)");
  }
  return OpenStoredObjects(env, repo, format->encrypted ? local_key : nullptr, nullptr, packs);
}

}  // namespace

Result<std::unique_ptr<OffsiteKey>> UnlockTarget(OffsiteTarget* target,
                                                 std::string_view passphrase) {
  StringByteSink text;
  Status s = target->Get(kKeyObjectKey, kMaxKeyObjectBytes, &text);
  if (s.code() == StatusCode::kNotFound) {
    return Status::NotFound("no arkwiki off-site copy at " + target->Describe() +
                            " (it has no key object)");
  }
  ARKWIKI_RETURN_IF_ERROR(s);
  return OffsiteKey::Unlock(text.data(), passphrase);
}

Result<std::unique_ptr<OffsiteKey>> UnlockExpectedRepository(OffsiteTarget* target,
                                                             std::string_view passphrase,
                                                             const std::string& expected,
                                                             const std::string& source,
                                                             const std::string& remedy) {
  Result<std::unique_ptr<OffsiteKey>> key = UnlockTarget(target, passphrase);
  if (expected.empty()) return key;
  if (key.status().code() == StatusCode::kNotFound) {
    return Status::Corruption(target->Describe() + " holds no off-site repository, but held " +
                              expected + " (" + source +
                              "): is the disk mounted, or the bucket the right one? Otherwise it "
                              "was emptied or replaced" +
                              remedy);
  }
  ARKWIKI_RETURN_IF_ERROR(key.status());
  if ((*key)->repository_id() != expected) {
    return Status::Corruption(target->Describe() + " holds off-site repository " +
                              (*key)->repository_id() + ", not " + expected + " (" + source +
                              "): it was replaced, or is another wiki's" + remedy);
  }
  return key;
}

namespace {

// Ok when `target` still holds the key object `checked` was unlocked from.
Status SameKeyObject(OffsiteTarget* target, const OffsiteKey& checked) {
  StringByteSink text;
  Status s = target->Get(kKeyObjectKey, kMaxKeyObjectBytes, &text);
  if (s.ok() && text.data() == checked.key_object()) return Status::Ok();
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  return Status::Corruption(target->Describe() + "'s key object changed after it was checked (" +
                            (s.ok() ? "other bytes" : "gone") +
                            "): was the target replaced or unmounted meanwhile? Nothing was "
                            "copied there");
}

}  // namespace

Result<std::unique_ptr<OffsiteTarget>> ReopenCheckedForWriting(Env* env,
                                                               const OffsiteTargetSpec& spec,
                                                               const OffsiteKey& checked) {
  // Checked opened for reading first: opening a directory target for
  // writing makes it if missing and removes its old .incoming files. Then
  // again once opened for writing, for a change in between.
  {
    ARKWIKI_ASSIGN_OR_RETURN(auto reading, OpenOffsiteTarget(env, spec, /*for_writing=*/false));
    ARKWIKI_RETURN_IF_ERROR(SameKeyObject(reading.get(), checked));
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto target, OpenOffsiteTarget(env, spec, /*for_writing=*/true));
  ARKWIKI_RETURN_IF_ERROR(SameKeyObject(target.get(), checked));
  return target;
}

Result<std::unique_ptr<OffsiteKey>> UnlockOrInitTarget(OffsiteTarget* target,
                                                       std::string_view passphrase,
                                                       const KdfParams& params, bool* created) {
  if (created) *created = false;
  auto key = UnlockTarget(target, passphrase);
  if (key.status().code() != StatusCode::kNotFound) return key;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> held, target->List(""));
  if (!held.empty()) {
    return Status::Conflict(target->Describe() +
                            " holds objects but no key object; refusing to start an off-site "
                            "repository there (choose an empty directory or prefix)");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<OffsiteKey> made,
                           OffsiteKey::Create(passphrase, params));
  ARKWIKI_RETURN_IF_ERROR(target->Put(kKeyObjectKey, StringFile(made->key_object())));
  if (created) *created = true;
  return made;
}

OffsiteCopier::OffsiteCopier(Env* env, std::string backup_dir, OffsiteTarget* target,
                             const OffsiteKey& key, const Cancellation* cancel)
    : env_(env), backup_dir_(std::move(backup_dir)), target_(target), key_(key), cancel_(cancel) {}

Result<OffsiteCopyResult> OffsiteCopier::Copy(const std::string& id) {
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<OffsiteCopyResult> copied, CopyIfPresent(id));
  if (!copied) return Status::NotFound("no restore point '" + id + "' in " + backup_dir_);
  return std::move(*copied);
}

Result<std::optional<OffsiteCopyResult>> OffsiteCopier::CopyIfPresent(const std::string& id) {
  RepoLayout repo(backup_dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoCopyLock::AcquireShared(repo));
  if (!IsSnapshotId(id)) return std::optional<OffsiteCopyResult>();
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, PointIsComplete(env_, repo.SnapshotDir(id)));
  if (!exists) return std::optional<OffsiteCopyResult>();
  ARKWIKI_ASSIGN_OR_RETURN(PresentObjects present, ListSizes(target_, kObjectsPrefix));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> remote, ListRecordIds(target_));
  ARKWIKI_ASSIGN_OR_RETURN(OffsiteScratch scratch, CopyScratch(env_, repo, scratch_dir_));
  NewestIndex newest(remote.empty() ? "" : remote.back(),
                     [&] { return ReusablePacked(target_, key_, remote, scratch); });
  // Packed objects are read out of their packs, sealed ones decrypted.
  PackedObjectsEnv* packs = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenLocal(env_, repo, local_key_, &packs));
  ARKWIKI_ASSIGN_OR_RETURN(
      OffsiteCopyResult r,
      CopyLocked({stored.get(), packs, repo, target_, key_, &present, &newest, cancel_, scratch},
                 id));
  return std::optional<OffsiteCopyResult>(std::move(r));
}

Result<std::vector<OffsiteCopyResult>> OffsiteCopier::CopyMissing() {
  RepoLayout repo(backup_dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoCopyLock::AcquireShared(repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> local, ListPointIds(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> remote, ListRecordIds(target_));
  ARKWIKI_ASSIGN_OR_RETURN(PresentObjects present, ListSizes(target_, kObjectsPrefix));
  ARKWIKI_ASSIGN_OR_RETURN(OffsiteScratch scratch, CopyScratch(env_, repo, scratch_dir_));
  NewestIndex newest(remote.empty() ? "" : remote.back(),
                     [&] { return ReusablePacked(target_, key_, remote, scratch); });
  PackedObjectsEnv* packs = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenLocal(env_, repo, local_key_, &packs));
  std::vector<OffsiteCopyResult> results;
  for (const std::string& id : local) {
    if (std::binary_search(remote.begin(), remote.end(), id)) continue;
    Result<SnapshotInfo> info = ReadPointInfo(stored.get(), repo, id);
    // Deleted since it was listed (a delete runs beside a copy): not copied.
    if (info.status().code() == StatusCode::kNotFound) continue;
    ARKWIKI_RETURN_IF_ERROR(info.status());
    if (info->check.state == CheckStatus::State::kFailed) continue;
    ARKWIKI_ASSIGN_OR_RETURN(
        OffsiteCopyResult r,
        CopyLocked({stored.get(), packs, repo, target_, key_, &present, &newest, cancel_, scratch},
                   id));
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace arkwiki
