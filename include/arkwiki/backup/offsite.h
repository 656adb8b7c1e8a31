// Off-site copies of restore points: the copy engine, and reading a target
// back (format for people: docs/offsite.md; encryption: offsite_crypto.h).
//
// What a target holds, by key:
//   key                    the key object: the repository key wrapped by
//                          the passphrase (plain JSON, holds no usable secret)
//   objects/<aa>/<name>    one file's bytes (a database snapshot, a settings
//                          file or an upload), encrypted; <name> is the keyed
//                          hash of the file's SHA-256, <aa> its first two digits
//   packs/<pack>           files smaller than 512 KiB, each encrypted as it
//                          would be on its own, back to back; <pack> is 32
//                          random hex digits
//   snapshots/<id>         one restore point's record, encrypted: a JSON line
//                          (repository id, restore point id, restore-point.json),
//                          the index of its packed files (object name, pack,
//                          offset; format version 2), then the restore
//                          point's manifest.json
// A restore point is on the target once its record is; every object and
// pack its record names is there before the record is put.
//
// OffsiteCopier::Copy(id), in order:
//   1. takes the repository's copy lock and reads the restore point's
//      restore-point.json and its manifest, which it copies to a scratch
//      file (OffsiteCopier::SetScratchDir); refuses a point whose last
//      check failed;
//   2. lists objects/ on the target once;
//   3. notes, in a first pass over the manifest, the files the target
//      holds: as an object of the right size, or in a pack the newest
//      record there names (its pack index is read now, once per copy, or
//      is the index of the record this copy put last); then, in a second
//      pass, for every file the target lacks: reads
//      the local file once, hashing the plain bytes (a local file that no
//      longer matches its manifest fails the copy before its last sealed
//      chunk is sent: run `backup check`) and encrypting them straight into
//      the target (OffsiteTarget::PutStreamed). A target that takes no
//      streamed object of that size (S3 above multipart_threshold) gets a
//      spool file in copy-tmp/ instead, with the SHA-256 of its encrypted
//      bytes (PutHashed). A small file is sealed into a pack in memory
//      instead, put once it holds 4 MiB and at the end;
//   4. puts the record, last, sealed as it is sent (the manifest read from
//      that scratch copy in blocks: it is never whole in memory), or
//      through a spool file in copy-tmp/ where the target takes no
//      streamed object of its size. A manifest too large for a record
//      (kMaxRecordBytes, 2 GiB) is refused at step 1, before anything is
//      sent.
// A cancelled copy (OffsiteCopier's `cancel`) stops before step 3's next
// object or before step 4, as a failure there would.
// A crash or failure at any step leaves the target's earlier restore points
// as they were, and at most objects no record names (which the next copy
// reuses, or a prune removes) and a spool file in copy-tmp/ (emptied by the
// next prune of the repository).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/backup/retention.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"

namespace arkwiki {

// Unwraps the target's key with `passphrase`. NotFound when the target holds
// no key object (nothing was ever copied there); PermissionDenied for a
// wrong passphrase.
Result<std::unique_ptr<OffsiteKey>> UnlockTarget(OffsiteTarget* target,
                                                 std::string_view passphrase);
// UnlockTarget, refusing (kCorruption, naming both ids) a target that
// holds no repository, or another one than `expected` (when not empty):
// one emptied or replaced whole, even by a repository sealed with the same
// passphrase, passes every other check. `source` says where `expected`
// came from; `remedy` ends a refusal.
Result<std::unique_ptr<OffsiteKey>> UnlockExpectedRepository(OffsiteTarget* target,
                                                             std::string_view passphrase,
                                                             const std::string& expected,
                                                             const std::string& source,
                                                             const std::string& remedy);
// The target of `spec` opened for writing (OpenOffsiteTarget), once it
// was checked opened for reading only (UnlockExpectedRepository): refuses
// (kCorruption) one whose key object is no longer the bytes `checked` was
// unlocked from, as when the target was replaced or unmounted in between
// (a directory target gone altogether is kNotFound, as opening it for
// reading says). That is checked before the opening for writing, so a
// target that changed before then is neither made again nor cleaned, and
// once more after it: one unmounted just between the two may get its
// empty directory made again, and is refused all the same.
Result<std::unique_ptr<OffsiteTarget>> ReopenCheckedForWriting(Env* env,
                                                               const OffsiteTargetSpec& spec,
                                                               const OffsiteKey& checked);
// UnlockTarget, or on a target without a key object, makes a new repository
// key wrapped by `passphrase` and puts the key object (*created = true,
// when given). Refuses (Conflict) to start a repository on a target that
// holds objects but no key object.
Result<std::unique_ptr<OffsiteKey>> UnlockOrInitTarget(OffsiteTarget* target,
                                                       std::string_view passphrase,
                                                       const KdfParams& params = {},
                                                       bool* created = nullptr);

struct OffsiteCopyResult {
  std::string id;
  uint64_t objects_sent = 0;     // files sent, on their own or in a pack
  uint64_t bytes_sent = 0;       // encrypted bytes put, packs and the record included
  uint64_t objects_present = 0;  // already on the target, not sent
  uint64_t packs_sent = 0;       // packs put (each holds many small files)
  // Objects and packs put that the target could not check on arrival
  // (OffsiteTarget::UncheckedPuts); a warning is logged once per copy.
  uint64_t puts_unchecked = 0;
};

class OffsiteCopier {
 public:
  // Copies from the repository of restore points in `backup_dir` to
  // `target` (neither owned), encrypting with `key`. The caller holds the
  // target's OffsiteTargetLock while it copies, so that no prune of the
  // target removes the objects a copy put or found present.
  // `cancel` (not owned; null: nothing cancels), once raised, stops a copy
  // with kCancelled before its next object or its record, so the point is
  // not on the target and a later copy sends only what is still missing.
  // (Cancelling the target's own requests is the target's setting, such as
  // S3TargetConfig::cancel.)
  OffsiteCopier(Env* env, std::string backup_dir, OffsiteTarget* target, const OffsiteKey& key,
                const Cancellation* cancel = nullptr);
  // The key of an encrypted repository of restore points
  // (Repository::key()), not owned: what the copy reads is decrypted with
  // it, then encrypted with the target's key. Without it an encrypted
  // repository is refused (PermissionDenied).
  void SetLocalKey(const OffsiteKey* local_key) { local_key_ = local_key; }
  // Where the copy spills, unnamed, the target's newest record and the
  // restore point's file list, which are plaintext: the data directory's
  // tmp/. Default: the repository's copy-tmp/, which is no place for them
  // when the repository is encrypted.
  void SetScratchDir(std::string dir) { scratch_dir_ = std::move(dir); }
  // Copies restore point `id` (steps above). NotFound for an unknown id.
  Result<OffsiteCopyResult> Copy(const std::string& id);
  // Copy, except that a point no longer in the repository (deleted since
  // the caller listed it: deletes run beside copies) is nullopt.
  Result<std::optional<OffsiteCopyResult>> CopyIfPresent(const std::string& id);
  // Copies every restore point the target lacks, oldest first, under one
  // lock; stops at the first failure. Points whose check failed are skipped.
  Result<std::vector<OffsiteCopyResult>> CopyMissing();

 private:
  Env* env_;
  std::string backup_dir_;
  OffsiteTarget* target_;
  const OffsiteKey& key_;
  const OffsiteKey* local_key_ = nullptr;
  std::string scratch_dir_;
  const Cancellation* cancel_;
};

// Where reading a target's records puts what it does not hold in memory:
// each record, decrypted (about 300 bytes a file), and past `files_held`
// files a manifest's file list (and, for a copy, its record's pack index
// in runs of `files_held` entries), each in a private scratch file in
// `dir` that loses its name at once, so that a crash leaves nothing
// behind. A restore point of 1,000,000 files would otherwise take about
// 300 MB.
struct OffsiteScratch {
  Env* env = nullptr;
  std::string dir;
  size_t files_held = RepositoryOptions().manifest_files_held;
  // The real file system, in $TMPDIR (or /tmp): for a reader with no
  // directory of its own, such as `backup snapshots --from`.
  static OffsiteScratch Default();
};

// A restore point on a target, from its record.
struct OffsitePoint {
  SnapshotInfo info;  // check: unknown (see CheckTarget)
  Manifest manifest;
};

// Every restore point on the target, oldest first, each record decrypted
// (which authenticates every byte) and its header and manifest checked (its
// repository id and its own id bound to its key); the pack index is left
// to the readers that use it. Fails, naming it, on the first record that
// does not pass. Each manifest comes without its file list (`files` empty;
// its counts stay): a listing of many restore points of many files each
// would otherwise hold 40 bytes per file per point. StageTargetPoint reads
// a point's files from its record.
Result<std::vector<OffsitePoint>> ListTargetPoints(OffsiteTarget* target, const OffsiteKey& key,
                                                   const OffsiteScratch& scratch);

// Writes restore point `id` of the target into `staging_dir` (created; must
// not hold a repository) as a repository of restore points holding just
// that point, ready for Repository::Export and the import that checks
// everything. Each file is decrypted and its SHA-256 and size compared with
// the manifest: Corruption, naming the file, for any difference. `id` may
// be "latest".
Result<std::string> StageTargetPoint(Env* env, OffsiteTarget* target, const OffsiteKey& key,
                                     const std::string& id, const std::string& staging_dir);

// Verifies the target: every record, and that each object a record names is
// there with the size its content implies; decrypts and re-hashes the share
// of objects `options.read_percent` asks for (chosen from their names and
// options.subset_seed). DamagedObject::sha256 is the file's plain SHA-256.
Result<CheckReport> CheckTarget(OffsiteTarget* target, const OffsiteKey& key,
                                const CheckOptions& options, const OffsiteScratch& scratch);

// An exclusive flock for one target, held for a whole run on it: a copy
// (CLI `backup copy`), a prune (CLI `backup prune --target`), or the
// server's copy, prune and check of that target. PruneTarget removes every
// object no record names, so a copy to the same target running beside it
// (its objects put but its record not yet, or objects it found present and
// skipped) would be left with a record naming missing objects. Copies and
// prunes take no other lock on the target; reading one (snapshots, check,
// restore) needs none. The lock file is `backup_dir`/offsite-<16 hex
// digits>.lock, the digits from the SHA-256 of target.Describe() (which
// holds no secrets), so the server and the CLI of one machine meet on it
// as long as they use the same backup directory and name the target alike.
// Released on destruction, and by the kernel if the process dies.
class OffsiteTargetLock {
 public:
  // The lock file's path for `target`.
  static std::string PathFor(const std::string& backup_dir, const OffsiteTarget& target);
  // Takes the lock without waiting, recording `purpose` for a refusal.
  // Busy ("another off-site copy or prune of <Describe()> is running
  // (<holder>)") while another holder has it, in this process or another.
  // NotFound when `backup_dir` does not exist.
  static Result<std::unique_ptr<OffsiteTargetLock>> Acquire(const std::string& backup_dir,
                                                            const OffsiteTarget& target,
                                                            const std::string& purpose);
  ~OffsiteTargetLock();
  OffsiteTargetLock(const OffsiteTargetLock&) = delete;
  OffsiteTargetLock& operator=(const OffsiteTargetLock&) = delete;

 private:
  explicit OffsiteTargetLock(int fd) : fd_(fd) {}
  int fd_;
};

struct OffsitePruneResult {
  std::vector<std::string> forgotten;  // restore points removed, newest first
  PruneResult objects;
  // Objects no remaining record names, kept because they were written
  // less than the grace period before `now` (or the target did not say
  // when); also counted in objects.objects_kept.
  uint64_t objects_too_new = 0;
};
// The default grace period of PruneTarget: a day.
inline constexpr int64_t kOffsitePruneGraceSeconds = int64_t{24} * 3600;
// Applies `policy` to the target's restore points (each counts as checked:
// only checked points are copied), removes the records of those it forgets,
// then every object no remaining record names that was written at least
// `grace_seconds` before `now` (by OffsiteObject::modified; an object whose
// time the target does not give is kept). The grace period protects a copy
// to the same target from another machine, which the lock below does not
// reach: its objects are on the target before its record. Refuses
// (Corruption) while any record cannot be read, since its objects cannot be
// known. The caller holds the target's OffsiteTargetLock, so that no copy
// to it from this machine runs beside.
Result<OffsitePruneResult> PruneTarget(OffsiteTarget* target, const OffsiteKey& key,
                                       const RetentionPolicy& policy, int64_t now,
                                       int64_t grace_seconds, const OffsiteScratch& scratch);

}  // namespace arkwiki
