// Status and Result<T>: how every fallible call in arkwiki reports failure.
//
// A Status is either OK or carries a code naming the kind of failure and a
// message a person can act on. Codes are coarse on purpose: callers branch on
// the kind (the web layer maps them to HTTP codes, the CLI to exit codes);
// the message carries the detail (paths, sizes, versions).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace arkwiki {

enum class StatusCode {
  kOk = 0,
  kNotFound,
  kCorruption,  // data exists but is damaged or malformed
  kIoError,
  kNoSpace,           // ENOSPC / EDQUOT, or a free-space pre-check failed
  kInvalidArgument,   // bad input from a caller or a user
  kBusy,              // another exclusive operation is running
  kPermissionDenied,  // the OS refused access (EACCES / EPERM / EROFS)
  kAlreadyExists,
  kUnsupported,      // e.g. an archive format newer than this build
  kTooLarge,         // a configured cap was exceeded
  kUnauthenticated,  // no valid credentials
  kForbidden,        // credentials valid but role insufficient
  kConflict,         // state changed underneath (e.g. a rename target exists)
  kCancelled,        // stopped on request (arkwiki/core/cancellation.h), e.g. at shutdown
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status NoSpace(std::string m) { return {StatusCode::kNoSpace, std::move(m)}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
  static Status TooLarge(std::string m) { return {StatusCode::kTooLarge, std::move(m)}; }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status Forbidden(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : state_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(state_).ok() && "Result needs a value or a failure");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace arkwiki

// Returns early from the enclosing function when `expr` yields a failed Status.
#define ARKWIKI_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::arkwiki::Status _arkwiki_s = (expr);   \
    if (!_arkwiki_s.ok()) return _arkwiki_s; \
  } while (0)

#define ARKWIKI_CONCAT_INNER(a, b) a##b
#define ARKWIKI_CONCAT(a, b) ARKWIKI_CONCAT_INNER(a, b)
// Declares `lhs` from a Result, or returns its Status on failure.
#define ARKWIKI_ASSIGN_OR_RETURN(lhs, expr) \
  ARKWIKI_ASSIGN_OR_RETURN_IMPL(ARKWIKI_CONCAT(_arkwiki_r, __LINE__), lhs, expr)
// `tmp` and `lhs` are declarators ("auto x", "std::string s"), which cannot
// be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ARKWIKI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
