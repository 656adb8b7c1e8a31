// Opening an off-site target from what a person types: a directory path, or
// s3://BUCKET/PREFIX with an endpoint URL.
#pragma once

#include <memory>
#include <string>

#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"

namespace arkwiki {

struct OffsiteTargetSpec {
  std::string location;  // "/mnt/nas/wiki" or "s3://bucket/prefix"
  // S3 only. Empty credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com"
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string ca_file;  // a custom CA bundle; empty: the system's
  // https://host/BUCKET/KEY (MinIO and most self-hosted servers); false:
  // https://BUCKET.host/KEY.
  bool path_style = true;
  // Where an interrupted multipart upload's state is kept so that the next
  // copy resumes it, beside the data (DATA/offsite/s3-uploads) or where
  // the admin chose; required for s3:// (never a shared temporary
  // directory). Created private (0700) on first use.
  std::string state_dir;
  // S3 only: raised, the target's requests stop with kCancelled
  // (S3TargetConfig::cancel). Not owned; null: nothing cancels.
  const Cancellation* cancel = nullptr;
};

// True for "s3://...".
bool IsS3Location(const std::string& location);

// A directory target for a path; for s3:// locations the S3 target.
// `for_writing`: a copy or prune will write (a directory is created).
// An s3:// target without credentials in `spec` takes them from
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; without a region, us-east-1.
Result<std::unique_ptr<OffsiteTarget>> OpenOffsiteTarget(Env* env, const OffsiteTargetSpec& spec,
                                                         bool for_writing);

// The command that restores the newest restore point of the target at
// `spec` into NEWDIR on a machine that has nothing else: its location and
// every S3 setting a restore needs (endpoint, region, addressing, CA file),
// never a secret; with `repository_id`, --repository-id too, so that the
// restore refuses a target replaced by another repository. Words that a
// shell would split or expand are quoted.
std::string OffsiteRestoreCommand(const OffsiteTargetSpec& spec,
                                  const std::string& repository_id = "");

}  // namespace arkwiki
