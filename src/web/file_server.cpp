#include "file_server.h"

#include <cstdlib>

#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"

namespace arkwiki::web {
namespace {

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n". Multiple ranges are not
// supported and are answered with the whole file, as RFC 9110 allows.
bool ParseRange(const std::string& header, uint64_t size, ByteRange* out, bool* unsatisfiable) {
  *unsatisfiable = false;
  if (header.rfind("bytes=", 0) != 0 || header.find(',') != std::string::npos || size == 0) {
    *unsatisfiable = header.rfind("bytes=", 0) == 0 && size == 0;
    return false;
  }
  std::string spec = header.substr(6);
  size_t dash = spec.find('-');
  if (dash == std::string::npos) return false;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() < 20 && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (a.empty()) {
    if (!digits(b)) return false;
    uint64_t n = std::strtoull(b.c_str(), nullptr, 10);
    if (n == 0) return *unsatisfiable = true, false;
    out->first = n >= size ? 0 : size - n;
    out->last = size - 1;
    return true;
  }
  if (!digits(a) || (!b.empty() && !digits(b))) return false;
  out->first = std::strtoull(a.c_str(), nullptr, 10);
  out->last =
      b.empty() ? size - 1 : std::min<uint64_t>(std::strtoull(b.c_str(), nullptr, 10), size - 1);
  if (out->first >= size || out->first > out->last) return *unsatisfiable = true, false;
  return true;
}

bool ShowsInline(const std::string& type) {
  return type.rfind("image/", 0) == 0 || type.rfind("video/", 0) == 0 ||
         type.rfind("audio/", 0) == 0 || type == "application/pdf" ||
         type.rfind("text/plain", 0) == 0;
}

}  // namespace

std::string ContentDisposition(const std::string& name, bool inline_display) {
  std::string ascii;
  for (unsigned char c : name) {
    ascii +=
        (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ';') ? static_cast<char>(c) : '_';
  }
  return std::string(inline_display ? "inline" : "attachment") + "; filename=\"" + ascii +
         "\"; filename*=UTF-8''" + UrlEncodeComponent(name);
}

void ServeUpload(WikiApp& app, Exchange& ex, const Upload& upload) {
  auto file = app.env()->NewRandomAccessFile(app.storage().uploads().BlobPath(upload.sha256));
  if (!file.ok()) return app.SendError(ex, file.status());
  const uint64_t size = (*file)->Size();
  const std::string etag = "\"" + upload.sha256 + "\"";
  auto& rs = ex.response;
  AddCommonHeaders(ex);
  rs.set("ETag", etag);
  rs.set("Accept-Ranges", "bytes");
  rs.set("Cache-Control", "private, no-cache");
  rs.set("Content-Disposition", ContentDisposition(upload.name, ShowsInline(upload.content_type)));
  // Uploaded bytes never run as a page of ours, whatever they contain.
  rs.set("Content-Security-Policy", "default-src 'none'; sandbox");
  if (ex.request.get("If-None-Match", "") == etag) {
    rs.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
    SendHead(ex);  // no body follows
    return;
  }
  ByteRange range{0, size == 0 ? 0 : size - 1};
  bool unsatisfiable = false;
  // A Range holds only while the client's partial copy is this file (RFC
  // 9110, 13.1.5): an If-Range with another entity tag, or with a date (no
  // Last-Modified is sent to compare one with), gets the whole file.
  const bool range_applies = ex.request.has("Range") &&
                             (!ex.request.has("If-Range") || ex.request.get("If-Range") == etag);
  bool partial = range_applies && ParseRange(ex.request.get("Range"), size, &range, &unsatisfiable);
  if (unsatisfiable) {
    rs.set("Content-Range", "bytes */" + std::to_string(size));
    rs.setContentLength(0);
    rs.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE);
    SendHead(ex);  // no body follows
    return;
  }
  uint64_t length = size == 0 ? 0 : range.last - range.first + 1;
  if (partial) {
    rs.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT);
    rs.set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                std::to_string(range.last) + "/" + std::to_string(size));
  }
  rs.setContentType(upload.content_type);
  rs.setContentLength64(static_cast<Poco::Int64>(length));
  std::ostream& out = SendHead(ex);
  if (ex.method == "HEAD") return;
  std::vector<char> buf(256 << 10);
  for (uint64_t offset = range.first; length > 0 && out.good();) {
    auto n = (*file)->ReadAt(offset, buf.data(), std::min<uint64_t>(buf.size(), length));
    if (!n.ok() || *n == 0) {
      LogError("serving " + upload.name + ": " + (n.ok() ? "short file" : n.status().ToString()));
      return;  // headers are out; the short body tells the client it failed
    }
    // *n > 0 here (zero returned above); cppcheck 2.10 instead pairs the
    // `length > 0` loop condition with the write and reports a zero length.
    // cppcheck-suppress invalidFunctionArg
    out.write(buf.data(), static_cast<std::streamsize>(*n));
    offset += *n;
    length -= *n;
    ex.bytes_sent += static_cast<int64_t>(*n);
  }
}

}  // namespace arkwiki::web
