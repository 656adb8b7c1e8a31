// The S3-compatible off-site target (AWS S3, MinIO, Backblaze B2,
// Cloudflare R2, Wasabi, ...): an OffsiteTarget over a bucket and a key
// prefix, spoken to over HTTP(S) with requests signed by AWS Signature
// Version 4. Settings and error messages for administrators:
// docs/offsite-s3.md.
//
// How Put stores an object:
//   1. An object of at most multipart_threshold bytes goes up in one
//      PutObject, streamed from the source in 1 MiB blocks (flat memory).
//      Its SHA-256 is signed, so it is read twice (hashed, then sent)
//      unless the caller gives it (PutHashed). A failed attempt sends the
//      whole object again; nothing of it is visible until it is complete.
//   2. A larger one goes up as a multipart upload: CreateMultipartUpload,
//      then UploadPart for each part_size slice read from the source, then
//      CompleteMultipartUpload. Up to parallel_parts parts are read, hashed
//      and sent at once, each by its own thread over its own connection
//      (each part read twice in 1 MiB blocks, hashed then sent, never
//      held; the source's ReadAt is called from those threads at once,
//      which Env's files allow). S3 shows the object only after step 2's
//      completion, so a reader never sees part of it.
//   3. After the upload id is issued and after each part is acknowledged
//      (its ETag is back; parts may finish in any order),
//      the upload's state (upload id, and each finished part's number,
//      SHA-256 and ETag) is written durably to a small file in
//      state_dir, named for the endpoint, bucket and key.
//   4. A later Put of the same key and size (after a crash, or after the
//      connection stayed down past the retries) finds that file, re-reads
//      each finished part, and sends again only the parts whose SHA-256
//      differs; the rest are reused under the same upload id. (s3rver and
//      some providers lack ListParts, so this state is kept on our side.)
//   5. After completion the state file is removed. An upload id the
//      server no longer knows starts the upload again from part 1.
// What survives a crash: the objects already completed, and the state
// file of the one in progress. Abandoned uploads hold storage at the
// provider until a lifecycle rule or a later Put of the key clears them.
//
// PutStreamed (an object of at most multipart_threshold bytes, produced as
// it is sent: the copy engine's sealed objects and packs) sends one
// PutObject whose body is written into the request as it is produced, each
// attempt from the first byte. Its hash cannot come before it, so it is
// signed as UNSIGNED-PAYLOAD: the objects so sent are sealed
// (offsite_crypto.h), and decrypting them is the check end to end. The MD5
// of the bytes sent is compared with the answer's ETag where that is a
// plain MD5 (not for SSE-KMS or SSE-C), so damage on the way fails the
// attempt, which is retried; an object whose answer has any other ETag is
// stored unchecked and counted (UncheckedPuts). A source that fails cuts the body short and
// drops the connection. S3 then stores nothing; for servers that keep a
// cut body (s3rver does) a PutStreamed that fails removes the key, except
// after a cancellation, which leaves at most a cut object (never the whole
// object's size, so no copy takes it for one). A body the server stored
// damaged is of the whole size, though, and its removal may fail: so
// after a PutStreamed that failed, unless a HEAD finds the key empty (no
// request after a cancellation), the key is marked damaged in state_dir
// (upload_state.h), and List gives it size 0 until the key is put whole
// or removed. A later copy therefore sends it again, and a check reports
// it. Every other request carries the SHA-256 of its body
// in x-amz-content-sha256, so a body damaged on the way is refused. Requests that fail with 5xx,
// SlowDown, RequestTimeout, a timeout or a dropped connection are retried with exponential backoff
// and jitter; other 4xx answers are not retried.
//
// A target is not thread-safe: use one per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "arkwiki/backup/offsite_target.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

struct S3TargetConfig {
  // "https://s3.eu-central-1.amazonaws.com", "http://127.0.0.1:9000".
  // http:// only for a server on a trusted network.
  std::string endpoint;
  // The bucket's region ("us-east-1", "auto" for R2); part of the
  // signature, so a wrong one gives SignatureDoesNotMatch.
  std::string region = "us-east-1";
  std::string bucket;
  // Prepended to every key, e.g. "wiki1" stores "objects/ab" as
  // "wiki1/objects/ab". A missing trailing '/' is added; empty = none.
  std::string key_prefix;
  // true: https://host/BUCKET/KEY (MinIO, most self-hosted servers).
  // false: https://BUCKET.host/KEY (virtual-host style, AWS's default).
  bool path_style = true;
  std::string access_key;
  std::string secret_key;  // write-only: never logged nor put in messages
  // PEM file of the CA that signed the server's certificate, for a
  // private CA; empty = the system's CAs. Certificates and host names
  // are always verified over https.
  std::string ca_file;

  int connect_timeout_ms = 10000;
  // Per send or receive on the socket, not per request.
  int io_timeout_ms = 60000;
  // The whole-request deadline: the longest one request may take, its
  // retries and the waits between them included, so that a server that
  // answers one byte per io_timeout_ms cannot hold a copy or a restore
  // forever. A request that carries an object (PutObject, UploadPart, or a
  // Get, by the most its object may hold) gets deadline_ms_per_mib more
  // for each MiB of it; the defaults (5 min, and 8 s per MiB: 128 KiB/s)
  // are generous. Past it the request fails with kIoError naming the
  // deadline, and is not retried. The deadline is checked before each
  // attempt and each read from or write to the socket, whose timeouts
  // are shortened to what is left of it.
  int request_deadline_ms = 300000;
  int deadline_ms_per_mib = 8000;
  // Attempts per request, the first included (1 = no retry).
  int max_attempts = 6;
  // The wait before retry n is a random time in [0, min(max, initial * 2^n)]
  // ("full jitter").
  int initial_backoff_ms = 200;
  int max_backoff_ms = 20000;

  // The largest object sent in one PutObject (step 1), 0 to 5 GiB (S3's
  // limit for one PutObject); larger ones go up in parts. One request is
  // the fastest way up (on s3rver a multipart upload took 2 to 5 times as
  // long: benchmarks/README.md, S3 target), but a dropped connection
  // resends the whole object, while a multipart upload resends one part
  // and resumes after a restart. 64 MiB holds every upload of a typical
  // wiki and takes about 9 minutes at 1 Mbit/s.
  uint64_t multipart_threshold = uint64_t{64} << 20;
  // Size of each part of a multipart upload. S3 requires at least 5 MiB
  // (except the last part) and at most 10,000 parts; 8 MiB covers objects
  // up to 78 GiB.
  uint64_t part_size = uint64_t{8} << 20;
  // Parts of one multipart upload sent at the same time, each over its own
  // connection, 1 to 16. Each costs about 1 MiB of buffer, whatever
  // part_size is; more helps over a link with long round trips
  // (benchmarks/README.md, S3 target).
  int parallel_parts = 2;
  // Keys per ListObjectsV2 page, 1 to 1000 (S3's maximum and default).
  int list_page_keys = 1000;
  // The most keys one List takes, an empty page counting as one key, so
  // that a server that pages on forever (a new continuation token each
  // time) is refused with Corruption rather than listed until memory runs
  // out. The default is far above what a repository holds (one restore
  // point has at most 200,000 files) and bounds the listing's memory to
  // about 1 GiB.
  uint64_t max_listed_keys = 5'000'000;
  // Where multipart upload state is kept (step 3 above); created if
  // missing. Required: it is what lets an interrupted upload resume.
  std::string state_dir;
  // The Env for state_dir (Env::Default() when null).
  Env* env = nullptr;
  // The clock requests are signed with, in Unix seconds (the system
  // clock when empty). Tests use it to show RequestTimeTooSkewed.
  std::function<int64_t()> clock;
  // Raised: every request stops with kCancelled before its next attempt,
  // during a wait between attempts, and at its next send or receive on the
  // socket (one that waits for an answer stops within io_timeout_ms); a
  // multipart upload keeps its state for a later Put to resume. Not owned;
  // null: nothing cancels.
  const Cancellation* cancel = nullptr;
  // A monotonic clock in milliseconds for the deadlines (steady_clock
  // when empty), called from every thread of a multipart upload. Tests
  // advance it to pass a deadline without waiting.
  std::function<int64_t()> deadline_clock;
};

inline constexpr uint64_t kS3MinPartSize = uint64_t{5} << 20;

// Checks the settings (InvalidArgument naming the field) and returns the
// target. Makes no request: a wrong bucket or credentials show on first use.
Result<std::unique_ptr<OffsiteTarget>> OpenS3Target(const S3TargetConfig& config);

}  // namespace arkwiki
