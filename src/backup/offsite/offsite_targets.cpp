#include "arkwiki/backup/offsite_targets.h"

#include "arkwiki/backup/directory_target.h"

namespace arkwiki {

bool IsS3Location(const std::string& location) { return location.rfind("s3://", 0) == 0; }

Result<std::unique_ptr<OffsiteTarget>> OpenOffsiteTarget(Env* env, const OffsiteTargetSpec& spec,
                                                         bool for_writing) {
  if (spec.location.empty()) return Status::InvalidArgument("no off-site target given");
  if (IsS3Location(spec.location)) {
    // The S3 target (s3_target.h) is wired in here when it is part of the build.
    return Status::Unsupported("S3 targets are not in this build");
  }
  if (spec.location.find("://") != std::string::npos) {
    return Status::InvalidArgument("unknown kind of off-site target '" + spec.location +
                                   "': give a directory or s3://BUCKET/PREFIX");
  }
  if (!spec.endpoint.empty()) {
    return Status::InvalidArgument("--endpoint is for s3:// targets only");
  }
  return OpenDirectoryTarget(env, spec.location, for_writing);
}

}  // namespace arkwiki
