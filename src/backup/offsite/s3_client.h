// One S3 endpoint and bucket, over Poco's HTTP(S) client: builds the URL
// for path-style or virtual-host addressing, signs each request
// (sigv4.h), retries with backoff, and turns every answer and every Poco
// exception into a Result. The only file of the S3 target that touches
// Poco::Net.
#pragma once

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/SocketImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/backup/s3_target.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "offsite/background_md5.h"
#include "offsite/sigv4.h"

namespace arkwiki::s3 {

struct Call {
  Call(std::string method_in, std::string key_in, NameValues query_in = {})
      : method(std::move(method_in)), key(std::move(key_in)), query(std::move(query_in)) {}

  std::string method;
  std::string key;  // the full object key; "" addresses the bucket
  NameValues query;
  NameValues headers;     // extra headers to send and sign
  std::string_view body;  // sent with its SHA-256 in x-amz-content-sha256
  // Instead of `body`: the file whose bytes [0, Size()) are the body,
  // streamed in 1 MiB blocks (read again from the start by each attempt),
  // so an object of any size is sent in flat memory. Needs body_sha256.
  // A source that fails to read, or ends early, fails the request without
  // a retry.
  const RandomAccessFile* body_file = nullptr;
  // Instead of `body` or `body_file`: an object whose bytes are written into
  // the request as they are produced (each attempt from the first), so the
  // SHA-256 of the body cannot be known before it: the request is signed
  // with x-amz-content-sha256 UNSIGNED-PAYLOAD. Used for sealed objects
  // only (offsite_crypto.h), whose integrity end to end is their AEAD: a
  // restore or check that decrypts them refuses any changed byte. Damage
  // in transit is caught on the same pass by the MD5 of the bytes sent,
  // compared with the answer's ETag when that is a plain MD5: a mismatch
  // fails the attempt (retried); any other ETag sets
  // Reply::body_unchecked. A failure of WriteTo, or a count other
  // than Size(), cuts the body short and drops the connection; it is not
  // retried. A streamed request that fails (other than by cancellation)
  // removes the object, for a server that keeps a cut or damaged body.
  StreamedObject* body_object = nullptr;
  // The body's SHA-256 (lowercase hex) when the caller has it already;
  // empty: Execute computes it (from `body` only).
  std::string body_sha256;
  // With `body_file`: the MD5 (lowercase hex) of the bytes the caller
  // hashed for body_sha256, or empty. The file is read again to be sent, so
  // its bytes could differ from those hashed; an answer whose ETag is a
  // plain MD5 that differs fails the attempt (retried, the file read
  // again). The caller sends it as Content-MD5 too, for a server that
  // checks that (s3rver does not check x-amz-content-sha256).
  std::string body_md5;
  // A 2xx answer's body is streamed here instead of into Reply::body. A
  // retry after part of it arrived asks for the rest only (Range).
  ByteSink* sink = nullptr;
  // With `sink`: the most the object may hold. A longer answer (by its
  // Content-Length, or by the bytes that arrive) fails with Corruption as
  // soon as that shows, and is not retried.
  uint64_t max_sink_bytes = UINT64_MAX;
  // S3 may answer some requests (CompleteMultipartUpload) with 200 and an
  // error document: true treats such an answer as that error, retrying it
  // when the error asks for that.
  bool error_in_ok_answer = false;
};

// The deadline of the request in progress, shared by the Client and its
// connection's socket, which checks it before each send and receive.
struct Deadline {
  std::function<int64_t()> now_ms;  // monotonic
  int64_t at_ms = INT64_MAX;
  int io_timeout_ms = 0;
  const Cancellation* cancel = nullptr;
  // Throws Poco::TimeoutException once the deadline has passed, and
  // Poco::Exception once `cancel` is raised; else shortens the socket's
  // timeouts to what is left of the deadline.
  void Check(Poco::Net::SocketImpl* socket);

 private:
  int applied_timeout_ms_ = 0;  // 0: io_timeout_ms
};

struct Reply {
  int status = 0;
  std::string body;  // unless streamed to Call::sink
  std::string etag;
  uint64_t content_length = 0;
  // A streamed body (Call::body_object), or one with Call::body_md5, that
  // the answer did not confirm: its ETag is no MD5 (EtagVerdict::kNoMd5),
  // so the bytes stored were not checked against the bytes sent.
  bool body_unchecked = false;
};

class Client {
 public:
  // `config` must have passed OpenS3Target's checks.
  explicit Client(S3TargetConfig config);
  ~Client();

  // Sends `call`, retrying as s3_target.h describes. A 2xx answer gives
  // the Reply; anything else a Status (s3_errors.h). kIoError once the
  // attempts are used up, quoting the last failure.
  Result<Reply> Execute(const Call& call);

  // "s3://bucket/prefix at https://host" (no secrets).
  std::string Describe() const;
  const S3TargetConfig& config() const { return config_; }

 private:
  struct Attempt;
  // Execute without its clean-up of a failed streamed body.
  Result<Reply> Attempts(const Call& call);
  Attempt SendOnce(const Call& call, const std::string& payload_sha256, uint64_t* delivered);
  std::unique_ptr<Poco::Net::HTTPRequest> SignedRequest(const Call& call,
                                                        const std::string& payload_sha256,
                                                        uint64_t resume_from);
  // Writes the call's body to `out` (a body_object straight to `socket`,
  // the connection under `out`, once the head is flushed), and for a
  // body_object the MD5 (hex) of the bytes sent to `sent_md5`. A local read
  // failure is returned (the request is then cut short, so the connection
  // must be dropped); a failure of the connection throws, as Poco does.
  Status WriteBody(std::ostream& out, Poco::Net::StreamSocket& socket, const Call& call,
                   std::string* sent_md5);
  // Reads the answer's body into a->reply (or call.sink), bounded in memory;
  // sets a->retry or a->drop_connection as the way it ended asks.
  Status ReadBody(std::istream& in, const Call& call, uint64_t* delivered, Attempt* a);
  // The keep-alive session, made on first use (NewSession, which throws).
  Result<Poco::Net::HTTPClientSession*> Session();
  void NewSession();
  // The wait before retry `retry`, in milliseconds.
  int64_t BackoffMs(int retry);
  // When `call` must be finished, by deadline_clock.
  int64_t DeadlineFor(const Call& call) const;
  Status DeadlinePassed(const Call& call, const Status& last) const;
  // kCancelled, naming the request, once config_.cancel is raised.
  Status Cancelled(const Call& call) const;
  std::string RequestPath(const std::string& key) const;

  S3TargetConfig config_;
  std::string scheme_;
  std::string host_;  // the host requests go to (bucket.host when virtual-host)
  uint16_t port_ = 0;
  std::string base_path_;  // the endpoint URL's own path, if any
  Deadline deadline_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::mt19937_64 jitter_;
  BackgroundMd5 body_md5_;  // hashes each streamed body as it is sent
};

}  // namespace arkwiki::s3
