// What an S3 answer that is not 2xx means for the caller: whether to try
// again, and otherwise which Status, with a message an administrator can
// act on (the list is in docs/offsite-s3.md).
#pragma once

#include <string>

#include "arkwiki/core/status.h"
#include "offsite/s3_xml.h"

namespace arkwiki::s3 {

// 5xx, SlowDown and RequestTimeout: the server asks us to come back later.
bool IsRetryableAnswer(int http_status, const std::string& code);

// `target` names the bucket and endpoint ("s3://b/p at https://h"),
// `what` the request ("PUT objects/ab"). The error body may be empty (HEAD).
Status AnswerToStatus(int http_status, const ErrorBody& error, const std::string& target,
                      const std::string& what);

}  // namespace arkwiki::s3
