#include "offsite/s3_errors.h"

#include "offsite/shown_text.h"

namespace arkwiki::s3 {
namespace {

struct KnownError {
  const char* code;
  StatusCode status;
  const char* advice;
};

// Refused credentials are kPermissionDenied and a missing bucket kNotFound
// (the OffsiteTarget contract); the advice says what to change.
constexpr KnownError kKnownErrors[] = {
    {"AccessDenied", StatusCode::kPermissionDenied,
     "the access key is not allowed to do this: grant it read, write, list and delete on the "
     "bucket and key prefix"},
    {"InvalidAccessKeyId", StatusCode::kPermissionDenied,
     "the server does not know this access key: check the access key setting"},
    {"SignatureDoesNotMatch", StatusCode::kPermissionDenied,
     "the request signature was refused: check the secret key, and that the region setting is "
     "the bucket's region"},
    {"RequestTimeTooSkewed", StatusCode::kPermissionDenied,
     "this machine's clock differs from the server's by more than 15 minutes: correct the system "
     "time (enable NTP)"},
    {"NoSuchBucket", StatusCode::kNotFound,
     "the bucket does not exist: create it, or check the bucket name, the endpoint, the region "
     "and the path-style setting"},
    {"NoSuchKey", StatusCode::kNotFound, "no object under this key"},
    {"NoSuchUpload", StatusCode::kNotFound,
     "the server no longer knows this multipart upload (aborted or expired)"},
    {"InvalidPart", StatusCode::kConflict,
     "a part of the multipart upload is missing at the server or its ETag differs"},
    {"InvalidBucketName", StatusCode::kInvalidArgument,
     "the bucket name is not valid: check the bucket setting"},
    {"AuthorizationHeaderMalformed", StatusCode::kInvalidArgument,
     "the server refused the signature's scope: check the region setting"},
    {"EntityTooSmall", StatusCode::kInvalidArgument,
     "a multipart part was too small: the part size must be at least 5 MiB"},
    {"QuotaExceeded", StatusCode::kNoSpace, "the bucket's storage quota is used up"},
    {"PermanentRedirect", StatusCode::kInvalidArgument,
     "the bucket must be addressed at another endpoint: set the endpoint and region to the "
     "bucket's own (redirects are not followed)"},
    {"TemporaryRedirect", StatusCode::kInvalidArgument,
     "the bucket must be addressed at another endpoint: set the endpoint and region to the "
     "bucket's own (redirects are not followed)"},
};

// Requests and their signed credentials go only to the configured endpoint.
Status RedirectStatus(const std::string& head, const std::string& detail,
                      const std::string& location) {
  return Status::InvalidArgument(
      head + " (" + detail + "): the server redirects" +
      (location.empty() ? std::string() : " to " + ShownText(location)) +
      "; redirects are not followed: set the endpoint to the address that serves the bucket");
}

}  // namespace

bool IsRetryableAnswer(int http_status, const std::string& code) {
  return http_status >= 500 || code == "SlowDown" || code == "RequestTimeout" ||
         code == "InternalError" || http_status == 429;
}

Status AnswerToStatus(int http_status, const ErrorBody& error, const std::string& target,
                      const std::string& what) {
  const std::string head = target + ": " + what + " failed";
  for (const KnownError& known : kKnownErrors) {
    if (error.code == known.code) {
      return {known.status, head + " (" + known.code + "): " + known.advice};
    }
  }
  // The server's own words are quoted only filtered (shown_text.h).
  const std::string detail =
      error.code.empty() ? "HTTP " + std::to_string(http_status)
                         : ShownText(error.code, 64) + ", HTTP " + std::to_string(http_status) +
                               (error.message.empty() ? "" : ": " + ShownText(error.message));
  // HEAD answers carry no body: only the status tells what happened.
  if (error.code.empty() && http_status == 403) {
    return Status::PermissionDenied(head + " (" + detail +
                                    "): the server refused the credentials or the access key "
                                    "lacks permission: check the access and secret keys");
  }
  if (error.code.empty() && http_status / 100 == 3) {
    return RedirectStatus(head, detail, error.location);
  }
  if (error.code.empty() && http_status == 404) {
    return Status::NotFound(head + " (" + detail + "): no such object, or no such bucket");
  }
  return Status::IoError(head + " (" + detail + ")");
}

}  // namespace arkwiki::s3
