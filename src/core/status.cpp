#include "arkwiki/core/status.h"

namespace arkwiki {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kNoSpace:
      return "no space";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kBusy:
      return "busy";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kTooLarge:
      return "too large";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kForbidden:
      return "forbidden";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_);
}

}  // namespace arkwiki
