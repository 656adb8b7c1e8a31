// Streaming a backup ZIP to an HTTP client while it is being built
// (POST /settings/backup/create and POST /api/backups). Private to the web
// layer.
#pragma once

#include <functional>
#include <ostream>
#include <string_view>

#include "arkwiki/backup/byte_sink.h"
#include "web/app.h"

namespace arkwiki::web {

// A ByteSink over a response body stream that is opened lazily: `start`
// sends the headers and returns the body stream on the first Write, so a
// backup that fails before its first byte can still get a proper error
// response. Once the stream goes bad (the client disconnected, or a send
// timed out) every Write fails with IoError, which makes WriteBackup abandon
// the archive and remove its snapshot.
class ResponseByteSink final : public ByteSink {
 public:
  explicit ResponseByteSink(std::function<std::ostream&()> start) : start_(std::move(start)) {}
  Status Write(std::string_view data) override;
  Status Flush() override;
  bool started() const { return out_ != nullptr; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  std::function<std::ostream&()> start_;
  std::ostream* out_ = nullptr;
  uint64_t bytes_written_ = 0;
};

// Streams a fresh backup to the client as an attachment, chunked, with no
// Content-Length. Answers 409 when another backup or import holds
// app.exclusive_operation(). Appends "backup.create" to the audit log on
// success; a failure after the headers went out is logged and the stream is
// simply ended (the client gets a truncated file, which verify rejects).
void SendBackupDownload(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web
