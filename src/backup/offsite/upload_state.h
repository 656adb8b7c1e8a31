// The local record of a multipart upload in progress, which lets a Put
// interrupted by a crash or a dropped connection resume (s3_target.h,
// steps 3-5). One small JSON file per upload in the target's state_dir,
// named for the endpoint, bucket and key; written with
// WriteFileAtomically, so a crash leaves the previous record or the new
// one, never a torn file. The directory is this user's own and closed to
// others (0700; one of ours that others may only read is tightened; a
// link, another user's, or one that others may write is refused with
// kPermissionDenied), since state planted there would steer the next
// upload.
//
// The same directory holds the marks of damaged keys: keys under which a
// PutObject that failed may have left an object other than the one sent,
// of the right size (the server stored other bytes than were sent, and
// removing them failed or was not tried). A marked key is not listed as
// present, so no copy accepts what stands there by its size; the mark
// goes once the key is put whole or removed. One small file per key,
// named like the upload records.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki::s3 {

struct PartRecord {
  std::string sha256;  // of the part's bytes, to tell whether it can be reused
  std::string etag;    // as the server answered UploadPart
};

struct UploadState {
  std::string key;  // the full object key
  uint64_t size = 0;
  uint64_t part_size = 0;
  std::string upload_id;
  std::map<int, PartRecord> parts;  // by part number, from 1
};

class UploadStateStore {
 public:
  // `target_id` tells targets apart that share `dir` (endpoint and bucket).
  UploadStateStore(Env* env, std::string dir, std::string target_id);

  // The record for `key`; NotFound when there is none. A damaged record is
  // reported as NotFound too (the upload then starts again), with a warning.
  // Load and Save create the directory, private, if it is missing.
  Result<UploadState> Load(const std::string& key);
  Status Save(const UploadState& state);
  // OK when there is no record.
  Status Remove(const std::string& key);

  // Marks `key` damaged, durably, before it returns.
  Status MarkDamaged(const std::string& key);
  // Removes the mark; OK when there is none.
  Status ClearDamaged(const std::string& key);
  // The keys of this target marked damaged.
  Result<std::set<std::string>> DamagedKeys();

 private:
  std::string PathFor(const std::string& key) const;
  std::string DamagedPathFor(const std::string& key) const;
  Status PreparePrivateDir();

  Env* env_;
  std::string dir_;
  std::string target_id_;
};

}  // namespace arkwiki::s3
