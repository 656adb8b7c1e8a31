#include "archive_receiver.h"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include <cctype>
#include <optional>
#include <vector>

#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "multipart_form.h"

namespace arkwiki::web {
namespace {

constexpr size_t kChunkBytes = 256 << 10;

std::string TooLargeMessage(int64_t max_bytes) {
  return "the backup is larger than the import limit of " + std::to_string(max_bytes) +
         " bytes (Settings → System configuration → import size limit)";
}

// Keeps [A-Za-z0-9._-] of the client's file name, for the audit log's
// "restored <file>" line; never a path.
std::string SafeNamePart(const std::string& name) {
  std::string out;
  for (char c : name.substr(
           name.find_last_of("/\\") == std::string::npos ? 0 : name.find_last_of("/\\") + 1)) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') {
      out += c;
    }
    if (out.size() >= 80) break;
  }
  while (!out.empty() && out[0] == '.') out.erase(0, 1);
  if (out.size() > 4 && out.compare(out.size() - 4, 4, ".zip") == 0) out.resize(out.size() - 4);
  return out;
}

// Copies `in` to a split archive at `path` with the cap; its files are
// created exclusively, and removed unless it is received whole.
Result<SplitArchive> CopyCapped(Env* env, std::istream& in, const std::string& path,
                                int64_t max_bytes) {
  ARKWIKI_ASSIGN_OR_RETURN(auto split, ArchiveSplitter::Create(env, path));
  std::vector<char> buf(kChunkBytes);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    if (split->bytes() + static_cast<uint64_t>(in.gcount()) > static_cast<uint64_t>(max_bytes)) {
      return Status::TooLarge(TooLargeMessage(max_bytes));
    }
    ARKWIKI_RETURN_IF_ERROR(
        split->Write(std::string_view(buf.data(), static_cast<size_t>(in.gcount()))));
  }
  return split->Finish();
}

class ArchivePartHandler final : public Poco::Net::PartHandler {
 public:
  ArchivePartHandler(Env* env, std::string staging, int64_t max_bytes)
      : env_(env), staging_(std::move(staging)), max_bytes_(max_bytes) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& in) override {
    std::string disposition;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              params);
    if (params.get("name", "") != "file") return;
    if (received_) throw MultipartAbort{Status::InvalidArgument("send one backup file at a time")};
    auto archive =
        CopyCapped(env_, in, ArchivePath(staging_, params.get("filename", "")), max_bytes_);
    if (!archive.ok()) throw MultipartAbort{archive.status()};
    received_ = std::move(archive).value();
  }

  static std::string ArchivePath(const std::string& staging, const std::string& client_name) {
    std::string name = "archive-" + RandomHex(8);
    std::string part = SafeNamePart(client_name);
    if (!part.empty()) name += "-" + part;
    return JoinPath(staging, name + ".zip");
  }

  std::optional<SplitArchive> received_;

 private:
  Env* env_;
  std::string staging_;
  int64_t max_bytes_;
};

Result<SplitArchive> ReceiveMultipart(Env* env, Exchange& ex, const std::string& staging,
                                      int64_t max_bytes) {
  ArchivePartHandler handler(env, staging, max_bytes);
  Status s = LoadMultipartForm(ex, handler);
  if (s.ok() && !handler.received_) {
    s = Status::InvalidArgument("choose a backup file (form field 'file')");
  }
  if (s.ok()) return std::move(*handler.received_);
  ex.response.setKeepAlive(false);
  if (handler.received_) (void)RemoveSplitArchive(env, *handler.received_);
  return s;
}

Result<SplitArchive> ReceiveRaw(Env* env, Exchange& ex, const std::string& staging,
                                int64_t max_bytes) {
  const std::string path = ArchivePartHandler::ArchivePath(staging, ex.Query("name"));
  auto archive = CopyCapped(env, ex.request.stream(), path, max_bytes);
  Status s = archive.status();
  const uint64_t copied = s.ok() ? archive->size : 0;
  if (s.ok() && copied == 0) s = Status::InvalidArgument("the request carried no backup file");
  if (s.ok() && ex.request.hasContentLength() &&
      copied != static_cast<uint64_t>(ex.request.getContentLength64())) {
    s = Status::InvalidArgument("the upload was cut off after " + std::to_string(copied) +
                                " bytes; try again");
  }
  if (s.ok()) return archive;
  ex.response.setKeepAlive(false);
  if (archive.ok()) (void)RemoveSplitArchive(env, *archive);
  return s;
}

Result<SplitArchive> ReceiveInto(Env* env, Exchange& ex, const std::string& staging,
                                 int64_t max_bytes) {
  const bool multipart = ex.request.getContentType().rfind("multipart/form-data", 0) == 0;
  const int64_t allowed = max_bytes + (multipart ? kMultipartOverhead : 0);
  if (ex.request.hasContentLength() && ex.request.getContentLength64() > allowed) {
    DiscardOversizeBody(ex);
    return Status::TooLarge(TooLargeMessage(max_bytes));
  }
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(staging));
  if (ex.request.hasContentLength()) {
    ARKWIKI_RETURN_IF_ERROR(CheckFreeSpace(env, staging,
                                           static_cast<uint64_t>(ex.request.getContentLength64()),
                                           "receiving the backup archive"));
  }
  return multipart ? ReceiveMultipart(env, ex, staging, max_bytes)
                   : ReceiveRaw(env, ex, staging, max_bytes);
}

}  // namespace

Result<SplitArchive> ReceiveArchive(Env* env, const std::string& staging, Exchange& ex,
                                    int64_t max_bytes) {
  auto path = ReceiveInto(env, ex, staging, max_bytes);
  // The body may be partly unread (refused for space, cut short by a full
  // disk): read the rest without storing it, so the client gets our error
  // (507, 400) rather than a reset. Only an admin gets this far, and only
  // a body within the import limit is drained.
  if (!path.ok()) DiscardRestOfBody(ex, max_bytes + kMultipartOverhead);
  return path;
}

}  // namespace arkwiki::web
