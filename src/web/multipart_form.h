// Reading a multipart/form-data request body through a PartHandler, with the
// limits every file-upload route uses.
#pragma once

#include <Poco/Net/PartHandler.h>

#include <cstdint>

#include "arkwiki/core/status.h"
#include "exchange.h"

namespace arkwiki::web {

// Slack for multipart boundaries and part headers around the file itself.
inline constexpr int64_t kMultipartOverhead = 64 << 10;

// Thrown by a PartHandler to stop reading the body with `status`.
struct MultipartAbort {
  Status status;
};

// Loads the body (at most 20 fields, form values of at most 4 KiB) through
// `handler`. A MultipartAbort becomes its status; a malformed body becomes
// InvalidArgument. On any failure the connection is not kept alive, since
// the rest of the body was not read.
Status LoadMultipartForm(Exchange& ex, Poco::Net::PartHandler& handler);

}  // namespace arkwiki::web
