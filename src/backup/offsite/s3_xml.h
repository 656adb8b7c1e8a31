// The XML bodies the S3 target reads and writes: error answers,
// CreateMultipartUpload's upload id, ListObjectsV2 pages, and the part
// list of CompleteMultipartUpload. Parsed with Poco's DOM parser; a body
// that is not the expected XML gives kCorruption.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/status.h"

namespace arkwiki::s3 {

struct ErrorBody {
  std::string code;  // "NoSuchBucket"; "" when the body is not an S3 error
  std::string message;
  std::string location;  // a redirect's Location header (set by the caller)
};
// Never fails: a body that is no S3 error gives empty fields.
ErrorBody ParseErrorBody(const std::string& xml);

Result<std::string> ParseUploadId(const std::string& xml);

struct ListPage {
  std::vector<OffsiteObject> objects;  // full keys, as stored in the bucket
  std::string next_token;              // "" on the last page
};
Result<ListPage> ParseListPage(const std::string& xml);

struct FinishedPart {
  int number = 0;
  std::string etag;  // as the server sent it, quotes included
};
std::string CompleteMultipartBody(const std::vector<FinishedPart>& parts);
// Whether `xml` is a CompleteMultipartUploadResult (the object exists).
bool IsCompleteResult(const std::string& xml);

}  // namespace arkwiki::s3
