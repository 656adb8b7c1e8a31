#include "offsite/s3_multipart.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Crypto/DigestEngine.h>
#include <Poco/Exception.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "offsite/file_window.h"
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

// The parts of one upload, shared by the threads that send them. A part
// is taken by one thread, read, hashed, sent, and recorded in the state
// file only once the server has answered with its ETag, so the file never
// names a part the server may not hold.
class PartQueue {
 public:
  PartQueue(UploadStateStore* states, UploadState* state, const RandomAccessFile& source)
      : states_(states),
        state_(state),
        source_(source),
        count_(static_cast<int>((state->size + state->part_size - 1) / state->part_size)) {}

  int count() const { return count_; }

  // Sends parts until none is left or a thread has failed.
  void Work(Client* client) {
    for (int number = Take(); number != 0; number = Take()) {
      Status s = SendPart(client, number);
      if (!s.ok()) {
        const std::lock_guard<std::mutex> lock(mu_);
        if (failed_.ok()) failed_ = std::move(s);
        return;
      }
    }
  }

  // The first failure, once every thread has returned from Work.
  Status FirstFailure() {
    const std::lock_guard<std::mutex> lock(mu_);
    return failed_;
  }

 private:
  // The next part number; 0 when all are taken or a thread failed.
  int Take() {
    const std::lock_guard<std::mutex> lock(mu_);
    if (!failed_.ok() || next_ > count_) return 0;
    return next_++;
  }

  // The part is read twice, to hash and to send, rather than held: with
  // parts of 8 MiB or more, holding parallel_parts of them would be most
  // of a copy's memory, and a re-read comes from the page cache.
  Status SendPart(Client* client, int number) {
    const uint64_t offset = static_cast<uint64_t>(number - 1) * state_->part_size;
    const FileWindow part(source_, offset, std::min(state_->part_size, state_->size - offset));
    Call call{"PUT", state_->key, {{"partNumber", std::to_string(number)}}};
    ARKWIKI_RETURN_IF_ERROR(SetBodyFromFile(part, &call));
    {
      const std::lock_guard<std::mutex> lock(mu_);
      const auto done = state_->parts.find(number);
      if (done != state_->parts.end() && done->second.sha256 == call.body_sha256) {
        return Status::Ok();
      }
      call.query.emplace_back("uploadId", state_->upload_id);
    }
    ARKWIKI_ASSIGN_OR_RETURN(Reply reply, client->Execute(call));
    if (reply.etag.empty()) {
      return Status::IoError(client->Describe() + ": UploadPart of " + state_->key +
                             " answered without an ETag");
    }
    const std::lock_guard<std::mutex> lock(mu_);
    state_->parts[number] = {call.body_sha256, reply.etag};
    return states_->Save(*state_);
  }

  UploadStateStore* states_;
  UploadState* state_;  // parts guarded by mu_
  const RandomAccessFile& source_;
  const int count_;
  std::mutex mu_;
  int next_ = 1;   // guarded by mu_
  Status failed_;  // guarded by mu_
};

// Sends the parts from min(parallel_parts, parts) threads: this one with
// `client`, the others each with a client (a connection) of their own.
Status UploadParts(Client* client, UploadStateStore* states, const RandomAccessFile& source,
                   UploadState* state) {
  PartQueue queue(states, state, source);
  const int helpers = std::min(client->config().parallel_parts, queue.count()) - 1;
  std::vector<std::unique_ptr<Client>> clients;
  std::vector<std::thread> threads;
  for (int i = 0; i < helpers; ++i) {
    clients.push_back(std::make_unique<Client>(client->config()));
    try {
      threads.emplace_back([&queue, c = clients.back().get()] { queue.Work(c); });
    } catch (const std::system_error& e) {
      LogWarning("S3 upload of " + state->key + " runs with fewer threads: " + e.what());
      break;
    }
  }
  queue.Work(client);
  for (std::thread& t : threads) t.join();
  return queue.FirstFailure();
}

Status CompleteUpload(Client* client, const UploadState& state) {
  std::vector<FinishedPart> parts;
  parts.reserve(state.parts.size());
  for (const auto& [number, part] : state.parts) parts.push_back({number, part.etag});
  const std::string body = CompleteMultipartBody(parts);
  Call call{"POST", state.key, {{"uploadId", state.upload_id}}};
  call.body = body;
  call.error_in_ok_answer = true;  // S3 reports a failed assembly inside a 200
  ARKWIKI_ASSIGN_OR_RETURN(Reply reply, client->Execute(call));
  if (!IsCompleteResult(reply.body)) {
    return Status::IoError(client->Describe() + ": completing the upload of " + state.key +
                           " was answered without a CompleteMultipartUploadResult");
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

Status SetBodyFromFile(const RandomAccessFile& source, Call* call) {
  Sha256 sha;
  constexpr uint64_t kBlock = uint64_t{1} << 20;
  const auto block = std::make_unique_for_overwrite<char[]>(kBlock);  // no need to zero it
  try {
    Poco::Crypto::DigestEngine md5("MD5");
    for (uint64_t offset = 0; offset < source.Size();) {
      const auto n = static_cast<size_t>(std::min(kBlock, source.Size() - offset));
      ARKWIKI_RETURN_IF_ERROR(ReadFully(source, offset, block.get(), n));
      sha.Update(block.get(), n);
      md5.update(block.get(), n);
      offset += n;
    }
    const Poco::DigestEngine::Digest& digest = md5.digest();
    std::ostringstream base64;
    {
      Poco::Base64Encoder encoder(base64);
      encoder.write(reinterpret_cast<const char*>(digest.data()),
                    static_cast<std::streamsize>(digest.size()));
    }
    call->body_md5 = Poco::DigestEngine::digestToHex(digest);
    call->headers.emplace_back("Content-MD5", base64.str());
  } catch (const Poco::Exception& e) {
    return Status::IoError("hashing the body of " + call->key + " failed: " + e.displayText());
  }
  call->body_file = &source;
  call->body_sha256 = sha.FinishHex();
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
