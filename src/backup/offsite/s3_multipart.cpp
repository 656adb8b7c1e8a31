#include "offsite/s3_multipart.h"

#include <string>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "offsite/s3_xml.h"

namespace arkwiki::s3 {
namespace {

constexpr uint64_t kMaxParts = 10000;  // S3's limit

Result<UploadState> StartUpload(Client* client, UploadStateStore* states, const std::string& key,
                                uint64_t size) {
  ARKWIKI_ASSIGN_OR_RETURN(Reply reply, client->Execute({"POST", key, {{"uploads", ""}}}));
  ARKWIKI_ASSIGN_OR_RETURN(std::string upload_id, ParseUploadId(reply.body));
  UploadState state{key, size, client->config().part_size, std::move(upload_id), {}};
  ARKWIKI_RETURN_IF_ERROR(states->Save(state));
  return state;
}

// Best effort: an upload we will not finish holds storage at the provider.
void AbortUpload(Client* client, const UploadState& stale) {
  const auto reply = client->Execute({"DELETE", stale.key, {{"uploadId", stale.upload_id}}});
  if (!reply.ok() && reply.status().code() != StatusCode::kNotFound) {
    LogWarning("could not abort the stale multipart upload of " + stale.key + ": " +
               reply.status().ToString());
  }
}

// The record of an earlier attempt at this key, if it matches; else a new
// upload (aborting a stale one).
Result<UploadState> ResumeOrStart(Client* client, UploadStateStore* states, const std::string& key,
                                  uint64_t size, bool* resumed) {
  auto previous = states->Load(key);
  *resumed = false;
  if (previous.ok()) {
    if (previous->size == size && previous->part_size == client->config().part_size) {
      *resumed = true;
      return std::move(previous).value();
    }
    AbortUpload(client, *previous);
  } else if (previous.status().code() != StatusCode::kNotFound) {
    return previous.status();
  }
  return StartUpload(client, states, key, size);
}

Status UploadPart(Client* client, UploadStateStore* states, UploadState* state, int number,
                  std::string_view bytes, const std::string& sha256) {
  Call call{
      "PUT", state->key, {{"partNumber", std::to_string(number)}, {"uploadId", state->upload_id}}};
  call.body = bytes;
  ARKWIKI_ASSIGN_OR_RETURN(Reply reply, client->Execute(call));
  if (reply.etag.empty()) {
    return Status::IoError(client->Describe() + ": UploadPart of " + state->key +
                           " answered without an ETag");
  }
  state->parts[number] = {sha256, reply.etag};
  return states->Save(*state);
}

Status UploadParts(Client* client, UploadStateStore* states, const RandomAccessFile& source,
                   UploadState* state) {
  const uint64_t part_size = state->part_size;
  std::vector<char> buffer(static_cast<size_t>(part_size));
  for (uint64_t offset = 0; offset < state->size; offset += part_size) {
    const int number = static_cast<int>(offset / part_size) + 1;
    const auto n = static_cast<size_t>(std::min(part_size, state->size - offset));
    ARKWIKI_RETURN_IF_ERROR(ReadFully(source, offset, buffer.data(), n));
    const std::string_view bytes(buffer.data(), n);
    const std::string sha256 = Sha256Hex(bytes);
    const auto done = state->parts.find(number);
    if (done != state->parts.end() && done->second.sha256 == sha256) continue;
    ARKWIKI_RETURN_IF_ERROR(UploadPart(client, states, state, number, bytes, sha256));
  }
  return Status::Ok();
}

Status CompleteUpload(Client* client, const UploadState& state) {
  std::vector<FinishedPart> parts;
  parts.reserve(state.parts.size());
  for (const auto& [number, part] : state.parts) parts.push_back({number, part.etag});
  const std::string body = CompleteMultipartBody(parts);
  Call call{"POST", state.key, {{"uploadId", state.upload_id}}};
  call.body = body;
  ARKWIKI_ASSIGN_OR_RETURN(Reply reply, client->Execute(call));
  // S3 may answer 200 and still report an error in the body.
  const ErrorBody error = ParseErrorBody(reply.body);
  if (!error.code.empty()) {
    return Status::IoError(client->Describe() + ": completing the upload of " + state.key +
                           " failed (" + error.code + ": " + error.message + ")");
  }
  return Status::Ok();
}

Status PutOnce(Client* client, UploadStateStore* states, const std::string& key,
               const RandomAccessFile& source, bool* resumed) {
  ARKWIKI_ASSIGN_OR_RETURN(UploadState state,
                           ResumeOrStart(client, states, key, source.Size(), resumed));
  ARKWIKI_RETURN_IF_ERROR(UploadParts(client, states, source, &state));
  ARKWIKI_RETURN_IF_ERROR(CompleteUpload(client, state));
  return states->Remove(key);
}

}  // namespace

Status ReadFully(const RandomAccessFile& source, uint64_t offset, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t read, source.ReadAt(offset + got, buf + got, n - got));
    if (read == 0) {
      return Status::Corruption("the source ended at byte " + std::to_string(offset + got) +
                                " while being uploaded: it changed size");
    }
    got += read;
  }
  return Status::Ok();
}

Status MultipartPut(Client* client, UploadStateStore* states, const std::string& key,
                    const RandomAccessFile& source) {
  const uint64_t part_size = client->config().part_size;
  if ((source.Size() + part_size - 1) / part_size > kMaxParts) {
    return Status::TooLarge(key + " needs more than 10,000 parts of " + std::to_string(part_size) +
                            " bytes: raise part_size");
  }
  bool resumed = false;
  Status s = PutOnce(client, states, key, source, &resumed);
  // The server lost the upload we resumed (expired, aborted, or its parts
  // are gone): start once more from part 1.
  if (resumed && (s.code() == StatusCode::kNotFound || s.code() == StatusCode::kConflict)) {
    LogWarning(client->Describe() + ": the interrupted upload of " + key + " cannot be resumed (" +
               s.message() + "); starting it again");
    ARKWIKI_RETURN_IF_ERROR(states->Remove(key));
    s = PutOnce(client, states, key, source, &resumed);
  }
  return s;
}

}  // namespace arkwiki::s3
