// Streaming a backup ZIP to an HTTP client while it is being built
// (POST /settings/backup/create and POST /api/backups). Private to the web
// layer.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <ostream>
#include <string_view>

#include "arkwiki/backup/byte_sink.h"
#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web {

// A ByteSink over a response body stream that is opened lazily: `start`
// sends the headers and returns the body stream on the first Write, so a
// backup that fails before its first byte can still get a proper error
// response. Once the stream goes bad (the client disconnected, or a send
// timed out) every Write fails with IoError, which makes WriteBackup abandon
// the archive and remove its snapshot.
//
// `socket`, when given and it returns a socket (it is asked once, after
// `start`), is the connection under a chunked body stream: each Write then
// goes out as one HTTP chunk sent straight to it. Poco's chunked stream
// buffers 4 KiB (HTTPBufferAllocator::BUFFER_SIZE), so it sent ~270,000
// chunks per GiB; the backup writer hands over 1 MiB blocks. The stream still
// writes the final empty chunk when the response ends, or never, if the
// download is aborted (AbortResponse).
class ResponseByteSink final : public ByteSink {
 public:
  explicit ResponseByteSink(std::function<std::ostream&()> start,
                            std::function<Poco::Net::StreamSocket*()> socket = {})
      : start_(std::move(start)), socket_(std::move(socket)) {}
  Status Write(std::string_view data) override;
  Status Flush() override;
  bool started() const { return out_ != nullptr; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  Status SendChunk(std::string_view data);

  std::function<std::ostream&()> start_;
  std::function<Poco::Net::StreamSocket*()> socket_;
  std::ostream* out_ = nullptr;
  Poco::Net::StreamSocket* raw_ = nullptr;  // set: chunks go straight to it
  uint64_t bytes_written_ = 0;
};

// POST /settings/backup/create and POST /api/backups: streams a fresh backup
// to the client as an attachment, chunked, with no Content-Length. Answers
// 409 when another backup or restore is running. The service appends
// "backup.create" to the audit log on success; a failure after the headers
// went out is logged and the stream is simply ended (the client gets a
// truncated file, which verify rejects).
void SendBackupDownload(BackupService& backup, const Renderer& pages, Exchange& ex);
// GET /api/restore-points/{id}/archive and its Settings link: streams the
// restore point as the same archive, named for the time it was made; 404
// for an unknown id, 409 when busy. Appends "backup.download".
void SendPointDownload(BackupService& backup, const Renderer& pages, Exchange& ex);

}  // namespace arkwiki::web
