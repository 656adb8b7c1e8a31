// Retention and prune on a target (arkwiki/backup/offsite.h).
#include <set>

#include "arkwiki/backup/offsite.h"
#include "arkwiki/core/hash.h"
#include "format/manifest_parser.h"
#include "offsite/offsite_record.h"
#include "repository/point_json.h"

namespace arkwiki {
namespace {

struct ReadPoint {
  RetentionPoint retention;
  // The loose objects its manifest needs. Its packed files are kept by
  // their packs, and are not listed: a point of 1,000,000 small files
  // would otherwise hold as many names, for every point at once.
  std::vector<std::string> loose;
  std::vector<std::string> packs;  // the packs its packed files are in
};

// Whether `key` has the shape of a key arkwiki writes for an object (a
// keyed name of 64 hex digits) or a pack (32). Prune removes no other key:
// a listing may hold another program's keys, or, behind a server or proxy
// that resolves "..", a key that names something outside the target.
bool IsObjectKey(const std::string& key) {
  const std::string name = BaseName(key);
  return IsLowerHex(name, 64) && ObjectKey(name) == key;
}
bool IsPackKey(const std::string& key) {
  const std::string name = BaseName(key);
  return IsLowerHex(name, 32) && PackKey(name) == key;
}

Result<ReadPoint> ReadForPrune(OffsiteTarget* target, const OffsiteKey& key, const std::string& id,
                               const OffsiteScratch& scratch) {
  auto read = ReadRecord(target, key, id, scratch);
  if (!read.ok()) {
    return Status::Corruption("prune refused: " + read.status().message() +
                              " (its objects cannot be known)");
  }
  ARKWIKI_ASSIGN_OR_RETURN(SnapshotInfo info, ParsePointMeta(read->record.point_json));
  ManifestFileStore files = NewFileStore(scratch);
  ARKWIKI_RETURN_IF_ERROR(ParseRecordManifest(*read, &files).status());
  ReadPoint point;
  point.retention = {id, info.created, SnapshotTriggerName(info.trigger), true};
  ManifestFileStore::Cursor cursor = files.Walk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) break;
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, *f));
    // No copy packs a file of kPackedFileLimit or more: its object is kept
    // whatever a 12-byte match in the index says (OffsitePackIndex).
    if (f->size >= kPackedFileLimit || !read->packed.Find(name)) {
      point.loose.push_back(std::move(name));
    }
  }
  point.packs = read->packed.Packs();
  return point;
}

}  // namespace

Result<OffsitePruneResult> PruneTarget(OffsiteTarget* target, const OffsiteKey& key,
                                       const RetentionPolicy& policy, int64_t now,
                                       int64_t grace_seconds, const OffsiteScratch& scratch) {
  ARKWIKI_RETURN_IF_ERROR(ValidateRetention(policy));
  if (grace_seconds < 0) return Status::InvalidArgument("the prune grace period is negative");
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target));
  std::vector<ReadPoint> points;
  std::vector<RetentionPoint> retention;
  for (const std::string& id : ids) {
    ARKWIKI_ASSIGN_OR_RETURN(ReadPoint point, ReadForPrune(target, key, id, scratch));
    retention.push_back(point.retention);
    points.push_back(std::move(point));
  }
  OffsitePruneResult result;
  result.forgotten = ApplyRetention(policy, retention, now).forget;
  const std::set<std::string> forgotten(result.forgotten.begin(), result.forgotten.end());
  std::set<std::string> needed;
  std::set<std::string> needed_packs;
  for (const ReadPoint& p : points) {
    if (forgotten.count(p.retention.id) != 0) continue;
    needed.insert(p.loose.begin(), p.loose.end());
    needed_packs.insert(p.packs.begin(), p.packs.end());
  }
  // Records first: a crash after them leaves only unnamed objects.
  for (const std::string& id : result.forgotten) {
    ARKWIKI_RETURN_IF_ERROR(target->Remove(RecordKey(id)));
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> objects, target->List(kObjectsPrefix));
  for (const OffsiteObject& o : objects) {
    if (!IsObjectKey(o.key) || needed.count(BaseName(o.key)) > 0) {
      ++result.objects.objects_kept;
      continue;
    }
    // Perhaps a copy from another machine, whose record is still to come.
    if (o.modified <= 0 || now - o.modified < grace_seconds) {
      ++result.objects.objects_kept;
      ++result.objects_too_new;
      continue;
    }
    ARKWIKI_RETURN_IF_ERROR(target->Remove(o.key));
    ++result.objects.objects_removed;
    result.objects.bytes_removed += o.size;
  }
  // A pack goes when no remaining record names it and it is past the grace
  // period; one that still holds a named file is kept whole.
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> packs, target->List(kPacksPrefix));
  for (const OffsiteObject& o : packs) {
    if (!IsPackKey(o.key) || needed_packs.count(BaseName(o.key)) > 0) continue;
    if (o.modified <= 0 || now - o.modified < grace_seconds) {
      ++result.objects_too_new;
      continue;
    }
    ARKWIKI_RETURN_IF_ERROR(target->Remove(o.key));
    ++result.objects.packs_removed;
    result.objects.bytes_removed += o.size;
  }
  return result;
}

}  // namespace arkwiki
