#include "arkwiki/backup/offsite_targets.h"

#include <cstdlib>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/backup/s3_target.h"

namespace arkwiki {

bool IsS3Location(const std::string& location) { return location.rfind("s3://", 0) == 0; }

namespace {

std::string FromEnvironment(const std::string& given, const char* variable) {
  if (!given.empty()) return given;
  const char* value = std::getenv(variable);
  return value == nullptr ? std::string() : std::string(value);
}

// "s3://BUCKET/PREFIX" and the spec's settings as an S3TargetConfig.
Result<S3TargetConfig> S3ConfigFromSpec(Env* env, const OffsiteTargetSpec& spec) {
  const std::string rest = spec.location.substr(5);
  const size_t slash = rest.find('/');
  S3TargetConfig config;
  config.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) config.key_prefix = rest.substr(slash + 1);
  if (config.bucket.empty()) {
    return Status::InvalidArgument("'" + spec.location +
                                   "' names no bucket: give s3://BUCKET/PREFIX");
  }
  if (spec.endpoint.empty()) {
    return Status::InvalidArgument("an s3:// target needs --endpoint URL (or endpoint = URL in " +
                                   std::string("targets.conf)"));
  }
  config.endpoint = spec.endpoint;
  if (!spec.region.empty()) config.region = spec.region;
  config.path_style = spec.path_style;
  config.access_key = FromEnvironment(spec.access_key_id, "AWS_ACCESS_KEY_ID");
  config.secret_key = FromEnvironment(spec.secret_access_key, "AWS_SECRET_ACCESS_KEY");
  if (config.access_key.empty() || config.secret_key.empty()) {
    return Status::InvalidArgument(
        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or access_key_id "
        "and secret_access_key in targets.conf (the CLI also takes --credentials-file FILE)");
  }
  config.ca_file = spec.ca_file;
  // No fallback to a shared temporary directory, where another local user
  // could plant upload state: the caller names a private directory.
  if (spec.state_dir.empty()) {
    return Status::InvalidArgument(
        "an s3:// target needs a directory for its upload state "
        "(DATA/offsite/s3-uploads)");
  }
  config.state_dir = spec.state_dir;
  config.env = env;
  config.cancel = spec.cancel;
  return config;
}

}  // namespace

Result<std::unique_ptr<OffsiteTarget>> OpenOffsiteTarget(Env* env, const OffsiteTargetSpec& spec,
                                                         bool for_writing) {
  if (spec.location.empty()) return Status::InvalidArgument("no off-site target given");
  if (IsS3Location(spec.location)) {
    ARKWIKI_ASSIGN_OR_RETURN(S3TargetConfig config, S3ConfigFromSpec(env, spec));
    return OpenS3Target(config);
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

namespace {

// `word` as one POSIX shell word: as it is when it holds only characters a
// shell leaves alone, else in single quotes.
std::string ShellWord(const std::string& word) {
  const bool plain = !word.empty() && word.find_first_not_of(
                                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_./:@%+=,-") == std::string::npos;
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string OffsiteRestoreCommand(const OffsiteTargetSpec& spec, const std::string& repository_id) {
  std::string command = "arkwiki backup restore --data NEWDIR --from " + ShellWord(spec.location);
  if (IsS3Location(spec.location)) {
    command += " --endpoint " + ShellWord(spec.endpoint.empty() ? "URL" : spec.endpoint);
    if (!spec.region.empty()) command += " --region " + ShellWord(spec.region);
    if (!spec.path_style) command += " --virtual-host";
    if (!spec.ca_file.empty()) command += " --ca-file " + ShellWord(spec.ca_file);
  }
  command += " --snapshot latest --yes";
  if (!repository_id.empty()) command += " --repository-id " + ShellWord(repository_id);
  return command;
}

}  // namespace arkwiki
