#include "backup_stream.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdio>

#include "arkwiki/core/log.h"

namespace arkwiki::web {
namespace {

const char kClientGone[] = "the client closed the connection during the download";

}  // namespace

// Sends all of `data`, as one chunk of the chunked body, on the socket.
// Poco's blocking sendBytes sends everything or throws; a short count is
// handled all the same.
Status ResponseByteSink::SendChunk(std::string_view data) {
  char header[24];
  const int n = std::snprintf(header, sizeof header, "%zx\r\n", data.size());
  for (std::string_view part :
       {std::string_view(header, static_cast<size_t>(n)), data, std::string_view("\r\n")}) {
    while (!part.empty()) {
      const int sent = raw_->sendBytes(part.data(), static_cast<int>(part.size()));
      if (sent <= 0) return Status::IoError(kClientGone);
      part.remove_prefix(static_cast<size_t>(sent));
    }
  }
  return Status::Ok();
}

Status ResponseByteSink::Write(std::string_view data) {
  if (data.empty()) return Status::Ok();  // an empty chunk would end the body
  // Poco's socket streams turn send errors into badbit (std::ostream catches
  // the exception); the socket itself throws. Catch both.
  try {
    if (out_ == nullptr) {
      out_ = &start_();
      if (socket_) raw_ = socket_();
    }
    if (raw_ != nullptr) {
      ARKWIKI_RETURN_IF_ERROR(SendChunk(data));
    } else {
      out_->write(data.data(), static_cast<std::streamsize>(data.size()));
    }
  } catch (const Poco::Exception& e) {
    return Status::IoError("sending the backup failed: " + e.displayText());
  } catch (const std::exception& e) {
    return Status::IoError(std::string("sending the backup failed: ") + e.what());
  }
  if (raw_ == nullptr && !*out_) return Status::IoError(kClientGone);
  bytes_written_ += data.size();
  return Status::Ok();
}

Status ResponseByteSink::Flush() {
  if (out_ == nullptr || raw_ != nullptr) return Status::Ok();  // chunks are sent whole
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
  return SendHead(ex);
}

// The connection under the response, for sending chunks directly; null
// where the request is not Poco's own (then the body stream is used).
Poco::Net::StreamSocket* ConnectionSocket(Exchange& ex) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&ex.request);
  return impl == nullptr ? nullptr : &impl->socket();
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

}  // namespace

namespace {

// Streams what `write` writes to the sink as the attachment `file_name`.
void StreamArchive(const Renderer& pages, Exchange& ex, const std::string& file_name,
                   const std::function<Result<BackupResult>(ByteSink*)>& write) {
  ResponseByteSink sink([&]() -> std::ostream& { return StartAttachment(ex, file_name); },
                        [&]() { return ConnectionSocket(ex); });
  auto result = write(&sink);
  ex.bytes_sent = static_cast<int64_t>(sink.bytes_written());
  if (result.ok()) return;
  if (!sink.started()) return pages.SendError(ex, result.status());
  // Headers are out; all we can do is end the stream short. The client's
  // file is then incomplete and `arkwiki backup verify` rejects it.
  LogError("backup download for " + ex.user->name + " failed after " +
           std::to_string(sink.bytes_written()) + " bytes: " + result.status().ToString());
  AbortResponse(ex);
}

}  // namespace

void SendBackupDownload(BackupService& backup, const Renderer& pages, Exchange& ex) {
  // "only=database" (query or form): the database-only kind.
  const std::string only = ex.Form("only", ex.Query("only"));
  if (!only.empty() && only != "database") {
    return pages.SendError(
        ex, Status::InvalidArgument("only= takes 'database' (a backup without the upload files)"));
  }
  const bool database_only = only == "database";
  const std::string file_name = backup.BackupFileName(database_only);
  const std::string via = ex.via_api_token ? "API" : "browser";
  StreamArchive(pages, ex, file_name, [&](ByteSink* sink) {
    return backup.WriteBackup(
        sink, ex.user->name,
        "download " + file_name + " (" + via + ")" + (database_only ? ", database only" : ""),
        database_only);
  });
}

void SendPointDownload(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto point = backup.FindPoint(ex.Param("id"));
  if (!point.ok()) return pages.SendError(ex, point.status());
  StreamArchive(pages, ex, backup.PointFileName(*point),
                [&](ByteSink* sink) { return backup.ExportPoint(point->id, sink, ex.user->name); });
}

}  // namespace arkwiki::web
