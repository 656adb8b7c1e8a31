// OffsiteTarget: where off-site copies of restore points go. A flat store
// of named objects (keys like "objects/ab/<name>" or "snapshots/<id>"), kept
// by an S3-compatible bucket under a key prefix, or by a directory such as a
// mounted NAS or USB disk. The copy engine (docs/offsite.md) decides what is
// stored under which key and encrypts it first; a target only moves bytes.
//
// Contract every target keeps:
//   - Put is all or nothing: a reader never sees part of an object. A Put
//     that fails, or a process killed during one, leaves either no object
//     or the earlier one under that key.
//   - Put reads its bytes through `source` at offsets, so it can retry a
//     part, or resume an interrupted upload of the same key and size,
//     without holding the object in memory.
//   - Get reads no more than the caller says the object may hold, since a
//     target is not trusted: whoever controls it may serve endless objects.
//   - Failures are Status codes a person can act on: kPermissionDenied for
//     refused credentials, kNotFound for a missing bucket or directory (and
//     for Get/Stat of an absent key), kNoSpace for a full target, kIoError
//     for a connection that stayed down after the retries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// The bytes of one object, produced as a target sends them (PutStreamed):
// the copy engine seals a local file straight into the request body, with
// no spool file and each byte read once.
class StreamedObject {
 public:
  virtual ~StreamedObject() = default;
  // How many bytes WriteTo writes, known before the first of them.
  virtual uint64_t Size() const = 0;
  // Writes all Size() bytes to `out`, from the first; each attempt of a
  // Put calls it again. A failure it returns (its source no longer matches
  // what it must be) fails the Put at once, without a retry, and the bytes
  // written so far are dropped, never stored.
  virtual Status WriteTo(ByteSink* out) = 0;
};

struct OffsiteObject {
  std::string key;
  uint64_t size = 0;
  // When the object was last written, in Unix seconds by the target's
  // clock (S3's LastModified, a file's mtime); 0 when the target did not
  // say. Prune keeps an unnamed object younger than its grace period.
  int64_t modified = 0;
};

class OffsiteTarget {
 public:
  virtual ~OffsiteTarget() = default;

  // For messages and the UI, without secrets: "s3://bucket/prefix at
  // https://host", "directory /mnt/nas/wiki".
  virtual std::string Describe() const = 0;
  // Stores source's bytes [0, source.Size()) under `key`, replacing any
  // object there (see the contract above).
  virtual Status Put(const std::string& key, const RandomAccessFile& source) = 0;
  // Put, for a caller that already has the SHA-256 (lowercase hex) of
  // source's bytes, as the copy engine does after hashing a spool file
  // while writing it (for an object PutStreamed does not take): a target that must send the hash
  // ahead of the bytes (S3) then reads them once, not twice. A wrong hash fails the Put and stores
  // nothing. The default ignores the hash.
  virtual Status PutHashed(const std::string& key, const RandomAccessFile& source,
                           const std::string& sha256_hex) {
    (void)sha256_hex;
    return Put(key, source);
  }
  // The largest object PutStreamed takes; 0 (the default): none, so the
  // caller spools the object and calls Put.
  virtual uint64_t MaxStreamedSize() const { return 0; }
  // Stores the object->Size() bytes object->WriteTo writes under `key`, as
  // Put does (all or nothing), pulling them as it sends them. A failure of
  // WriteTo, or a count of bytes other than Size(), stores nothing.
  // InvalidArgument above MaxStreamedSize().
  virtual Status PutStreamed(const std::string& key, StreamedObject* object) {
    (void)key;
    (void)object;
    return Status::InvalidArgument(Describe() + " takes no streamed objects");
  }
  // How many objects PutStreamed stored, since the target was opened,
  // whose bytes the target could not check on arrival against the bytes
  // sent (S3: an answer whose ETag is no MD5 of the body, as under SSE-KMS
  // or from some gateways). They are checked end to end only when they are
  // decrypted (a restore, `backup check` of the target with --read-all).
  virtual uint64_t UncheckedPuts() const { return 0; }
  // Streams the object's bytes into `sink`. NotFound when absent.
  // Corruption, naming the key, as soon as the object proves longer than
  // `max_bytes`: the target stops reading there however much it is sent,
  // and what reached `sink` is to be discarded. Callers pass what the
  // object may hold (its size from a record, or a fixed cap for metadata).
  virtual Status Get(const std::string& key, uint64_t max_bytes, ByteSink* sink) = 0;
  // The object's size. NotFound when absent.
  virtual Result<uint64_t> Stat(const std::string& key) = 0;
  // Every object whose key starts with `prefix`, sorted by key, with its
  // size and (where the target knows it) when it was written. An object
  // the target knows may hold other bytes than were put (S3: a damaged
  // key, s3_target.h) is listed with size 0, which no sealed object has.
  virtual Result<std::vector<OffsiteObject>> List(const std::string& prefix) = 0;
  // Removes the object; OK when it is already absent.
  virtual Status Remove(const std::string& key) = 0;
};

}  // namespace arkwiki
