#include "upload_receiver.h"

#include <Poco/Net/MessageHeader.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/PartHandler.h>

#include "multipart_form.h"

namespace arkwiki::web {
namespace {

class FilePartHandler final : public Poco::Net::PartHandler {
 public:
  FilePartHandler(UploadStore* store, uint64_t max_bytes) : store_(store), max_bytes_(max_bytes) {}

  void handlePart(const Poco::Net::MessageHeader& header, std::istream& in) override {
    std::string disposition, client_name;
    Poco::Net::NameValueCollection params;
    Poco::Net::MessageHeader::splitParameters(header.get("Content-Disposition", ""), disposition,
                                              params);
    if (params.get("name", "") != "file") return;  // ignore other file fields
    if (pending_) throw MultipartAbort{Status::InvalidArgument("send one file per request")};
    client_name = params.get("filename", "");
    auto pending = store_->Begin(max_bytes_);
    if (!pending.ok()) throw MultipartAbort{pending.status()};
    pending_ = std::move(pending).value();
    std::vector<char> buf(256 << 10);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
      Status s = pending_->Append(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
      if (!s.ok()) throw MultipartAbort{s};
    }
    name_ = client_name;
    content_type_ = header.get("Content-Type", "application/octet-stream");
  }

  std::unique_ptr<PendingUpload> pending_;
  std::string name_;
  std::string content_type_;

 private:
  UploadStore* store_;
  uint64_t max_bytes_;
};

}  // namespace

Result<Upload> ReceiveUpload(WikiApp& app, Exchange& ex, const Page& page) {
  const int64_t limit = app.settings().upload_max_bytes;
  if (ex.request.getContentType().rfind("multipart/form-data", 0) != 0) {
    return Status::InvalidArgument("send the file as multipart/form-data in a field named 'file'");
  }
  if (ex.request.hasContentLength() &&
      ex.request.getContentLength64() > limit + kMultipartOverhead) {
    DiscardOversizeBody(ex);
    return Status::TooLarge("the file is larger than the upload limit of " + std::to_string(limit) +
                            " bytes");
  }
  FilePartHandler handler(&app.storage().uploads(), static_cast<uint64_t>(limit));
  ARKWIKI_RETURN_IF_ERROR(LoadMultipartForm(ex, handler));
  if (!handler.pending_) return Status::InvalidArgument("no file in the field 'file'");
  std::string name = SanitizeUploadName(handler.name_);
  if (name.empty()) return Status::InvalidArgument("the file name is empty or not usable");
  return app.storage().uploads().Commit(std::move(handler.pending_), page.id, name,
                                        ContentTypeForName(name), ex.user->name);
}

}  // namespace arkwiki::web
