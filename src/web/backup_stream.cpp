#include "web/backup_stream.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <mutex>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"

namespace arkwiki::web {
namespace {

const char kClientGone[] = "the client closed the connection during the download";

}  // namespace

Status ResponseByteSink::Write(std::string_view data) {
  // Poco's socket streams turn send errors into badbit (std::ostream catches
  // the exception); catch anyway in case a stream was set to throw.
  try {
    if (out_ == nullptr) out_ = &start_();
    out_->write(data.data(), static_cast<std::streamsize>(data.size()));
  } catch (const std::exception& e) {
    return Status::IoError(std::string("sending the backup failed: ") + e.what());
  }
  if (!*out_) return Status::IoError(kClientGone);
  bytes_written_ += data.size();
  return Status::Ok();
}

Status ResponseByteSink::Flush() {
  if (out_ == nullptr) return Status::Ok();
  try {
    out_->flush();
  } catch (const std::exception& e) {
    return Status::IoError(std::string("sending the backup failed: ") + e.what());
  }
  return *out_ ? Status::Ok() : Status::IoError(kClientGone);
}

namespace {

std::ostream& StartAttachment(Exchange& ex, const std::string& file_name) {
  AddCommonHeaders(ex);
  ex.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
  ex.response.setContentType("application/zip");
  ex.response.set("Content-Disposition", "attachment; filename=\"" + file_name + "\"");
  ex.response.set("Cache-Control", "no-store");
  ex.response.setChunkedTransferEncoding(true);
  return ex.response.send();
}

// Makes a broken download look broken to the client: without this, Poco
// would end the chunked body normally when the handler returns, and an HTTP
// client would report success for a truncated file. Shutting the socket
// down first means the final chunk never goes out.
void AbortResponse(Exchange& ex) {
  ex.response.setKeepAlive(false);
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&ex.request);
  if (impl == nullptr) return;
  try {
    impl->socket().shutdown();
  } catch (const std::exception&) {
    // Already gone: nothing more to do.
  }
}

void RecordBackup(WikiApp& app, const Exchange& ex, const std::string& file_name,
                  const BackupResult& r) {
  const std::string via = ex.via_api_token ? "API" : "browser";
  Status s = app.storage().audit().Append(ex.user->name, "backup.create",
                                          "download " + file_name + " (" + via + "), " +
                                              std::to_string(r.archive_bytes) + " bytes, sha256 " +
                                              r.archive_sha256);
  if (!s.ok()) LogWarning("backup made but not written to the audit log: " + s.ToString());
}

}  // namespace

void SendBackupDownload(WikiApp& app, Exchange& ex) {
  std::unique_lock<std::mutex> lock(app.exclusive_operation(), std::try_to_lock);
  if (!lock.owns_lock()) {
    return app.SendError(ex, Status::Busy("another backup or import is running; try again when "
                                          "it has finished"));
  }
  const std::string file_name = BackupFileName(app.settings().site_title, NowUnixSeconds());
  ResponseByteSink sink([&]() -> std::ostream& { return StartAttachment(ex, file_name); });
  auto result = WriteBackup(app.env(), app.layout(), &sink);
  ex.bytes_sent = static_cast<int64_t>(sink.bytes_written());
  if (result.ok()) return RecordBackup(app, ex, file_name, *result);
  if (!sink.started()) return app.SendError(ex, result.status());
  // Headers are out; all we can do is end the stream short. The client's
  // file is then incomplete and `arkwiki backup verify` rejects it.
  LogError("backup download for " + ex.user->name + " failed after " +
           std::to_string(sink.bytes_written()) + " bytes: " + result.status().ToString());
  AbortResponse(ex);
}

}  // namespace arkwiki::web
