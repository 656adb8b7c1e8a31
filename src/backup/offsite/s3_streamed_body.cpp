#include "offsite/s3_streamed_body.h"

#include <Poco/Exception.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace arkwiki::s3 {

StreamedBody::StreamedBody(Poco::Net::StreamSocket& socket, uint64_t size, BackgroundMd5* md5)
    : socket_(socket), size_(size), md5_(md5) {
  md5_->Start();
}

Status StreamedBody::Write(std::string_view data) {
  if (data.size() > size_ - written_) {
    return Status::Corruption("the object grew past the " + std::to_string(size_) +
                              " bytes announced for it while being sent");
  }
  if (connection_lost_) return Status::IoError(lost_because_);
  try {
    while (!data.empty()) {
      std::string_view piece = data.substr(0, kMaxPiece);
      data.remove_prefix(piece.size());
      // Hashed from the hasher's own copy while this thread sends the piece
      // and goes on to seal the next.
      ARKWIKI_RETURN_IF_ERROR(md5_->Update(piece));
      while (!piece.empty()) {
        // MSG_NOSIGNAL: a server that closes mid-body must end this send
        // with an error, not end a CLI process (which does not ignore
        // SIGPIPE) by the signal.
        const int sent =
            socket_.sendBytes(piece.data(), static_cast<int>(piece.size()), MSG_NOSIGNAL);
        if (sent <= 0) throw Poco::IOException("the connection ended while sending");
        piece.remove_prefix(static_cast<size_t>(sent));
        written_ += static_cast<uint64_t>(sent);
      }
    }
  } catch (const Poco::Exception& e) {
    connection_lost_ = true;
    lost_because_ = e.displayText();
    return Status::IoError(lost_because_);
  }
  return Status::Ok();
}

EtagVerdict CompareEtagWithMd5(std::string_view etag, const std::string& md5_hex,
                               bool server_encrypted) {
  if (server_encrypted) return EtagVerdict::kNoMd5;
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  const bool plain_md5 =
      etag.size() == 32 &&
      std::all_of(etag.begin(), etag.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!plain_md5) return EtagVerdict::kNoMd5;
  const bool same =
      std::equal(etag.begin(), etag.end(), md5_hex.begin(), md5_hex.end(),
                 [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return same ? EtagVerdict::kAgrees : EtagVerdict::kDiffers;
}

}  // namespace arkwiki::s3
