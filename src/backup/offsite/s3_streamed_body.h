// The body of a streamed PutObject (private to the S3 target): the bytes a
// StreamedObject writes go into the request as they come, counted, held to
// the object's size, and hashed (MD5) to be compared with the ETag of the
// answer. They go to the connection's socket in the pieces they come in
// (a sealed chunk, about 1 MiB; a larger write in pieces of kMaxPiece),
// not through Poco's request stream, which sends 4 KiB at a time: a
// quarter of a million sends per GiB. Each piece is hashed on the
// BackgroundMd5's thread while it is sent and the next one is sealed.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/status.h"
#include "offsite/background_md5.h"

namespace arkwiki::s3 {

class StreamedBody final : public ByteSink {
 public:
  // The most handed to the hasher, and to the socket, at once.
  static constexpr size_t kMaxPiece = size_t{2} << 20;

  // `socket` carries the request, whose head has been sent in full and
  // which announced `size` bytes of body. `md5` (not owned, Started here)
  // hashes the body.
  StreamedBody(Poco::Net::StreamSocket& socket, uint64_t size, BackgroundMd5* md5);

  // Sends `data`. Corruption when it would take the body past its size;
  // IoError, with connection_lost(), when sending fails (a dropped
  // connection, the deadline, a cancellation: all end in the socket);
  // IoError without it when hashing fails.
  Status Write(std::string_view data) override;
  bool connection_lost() const { return connection_lost_; }
  // Why sending failed, once connection_lost().
  const std::string& lost_because() const { return lost_because_; }
  uint64_t written() const { return written_; }
  // The MD5 (lowercase hex) of the bytes written, once hashed; no Write
  // after it.
  Result<std::string> FinishMd5Hex() { return md5_->FinishHex(); }

 private:
  Poco::Net::StreamSocket& socket_;
  uint64_t size_;
  uint64_t written_ = 0;
  bool connection_lost_ = false;
  std::string lost_because_;
  BackgroundMd5* md5_;
};

// What an answer's ETag says of a body whose MD5 is `md5_hex`: kDiffers
// only when the ETag is a plain MD5 (32 hex digits, quoted or not) that
// differs. kNoMd5 when it proves nothing: another form, such as a
// multipart upload's "<hex>-N" or a gateway's own, and any ETag of an
// object the server encrypted with SSE-KMS or SSE-C (`server_encrypted`:
// its ETag is no MD5 of the body).
enum class EtagVerdict { kAgrees, kDiffers, kNoMd5 };
EtagVerdict CompareEtagWithMd5(std::string_view etag, const std::string& md5_hex,
                               bool server_encrypted);

}  // namespace arkwiki::s3
