#include "offsite/s3_streamed_body.h"

#include <Poco/DigestEngine.h>

#include <algorithm>
#include <cctype>

namespace arkwiki::s3 {

StreamedBody::StreamedBody(std::ostream& out, uint64_t size) : out_(out), size_(size) {}

Status StreamedBody::Write(std::string_view data) {
  if (data.size() > size_ - written_) {
    return Status::Corruption("the object grew past the " + std::to_string(size_) +
                              " bytes announced for it while being sent");
  }
  md5_.update(data.data(), data.size());
  out_.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out_) {
    connection_lost_ = true;
    return Status::IoError("the connection ended while sending");
  }
  written_ += data.size();
  return Status::Ok();
}

std::string StreamedBody::FinishMd5Hex() { return Poco::DigestEngine::digestToHex(md5_.digest()); }

bool EtagAgreesWithMd5(std::string_view etag, const std::string& md5_hex, bool server_encrypted) {
  if (server_encrypted) return true;
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  const bool plain_md5 =
      etag.size() == 32 &&
      std::all_of(etag.begin(), etag.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (!plain_md5) return true;
  return std::equal(etag.begin(), etag.end(), md5_hex.begin(), md5_hex.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
}

}  // namespace arkwiki::s3
