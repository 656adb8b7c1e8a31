#include "offsite/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/url.h"

namespace arkwiki::s3 {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims the ends and folds inner runs of spaces, as SigV4 asks of values.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return {reinterpret_cast<const char*>(out), len};
}

NameValues SortedHeaders(const NameValues& headers) {
  NameValues sorted;
  sorted.reserve(headers.size());
  for (const auto& [name, value] : headers) sorted.emplace_back(Lower(name), TrimValue(value));
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::string Scope(const std::string& amz_date, const SigV4Credentials& c) {
  return amz_date.substr(0, 8) + "/" + c.region + "/" + c.service + "/aws4_request";
}

}  // namespace

std::string AmzDate(int64_t unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string UriEncodePath(std::string_view path) {
  std::string out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = std::min(path.find('/', start), path.size());
    out += UrlEncodeComponent(path.substr(start, slash - start));
    if (slash < path.size()) out.push_back('/');
    start = slash + 1;
  }
  if (out.empty() || out[0] != '/') out.insert(out.begin(), '/');
  return out;
}

std::string CanonicalQueryString(const NameValues& query) {
  NameValues encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UrlEncodeComponent(name), UrlEncodeComponent(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

std::string SignedHeaderNames(const NameValues& headers) {
  std::string out;
  for (const auto& [name, value] : SortedHeaders(headers)) {
    if (!out.empty()) out.push_back(';');
    out += name;
  }
  return out;
}

std::string CanonicalRequest(const SigV4Request& request) {
  std::string out = request.method + "\n" + request.canonical_uri + "\n" +
                    CanonicalQueryString(request.query) + "\n";
  for (const auto& [name, value] : SortedHeaders(request.headers)) {
    out.append(name).append(":").append(value).append("\n");
  }
  out += "\n" + SignedHeaderNames(request.headers) + "\n" + request.payload_sha256;
  return out;
}

std::string StringToSign(const std::string& amz_date, const SigV4Credentials& credentials,
                         const std::string& canonical_request) {
  return "AWS4-HMAC-SHA256\n" + amz_date + "\n" + Scope(amz_date, credentials) + "\n" +
         Sha256Hex(canonical_request);
}

std::string Signature(const SigV4Credentials& credentials, const std::string& amz_date,
                      const std::string& string_to_sign) {
  std::string key = HmacSha256("AWS4" + credentials.secret_key, amz_date.substr(0, 8));
  key = HmacSha256(key, credentials.region);
  key = HmacSha256(key, credentials.service);
  key = HmacSha256(key, "aws4_request");
  const std::string mac = HmacSha256(key, string_to_sign);
  return HexEncode(mac.data(), mac.size());
}

std::string AuthorizationHeader(const SigV4Credentials& credentials, const std::string& amz_date,
                                const SigV4Request& request) {
  const std::string to_sign = StringToSign(amz_date, credentials, CanonicalRequest(request));
  return "AWS4-HMAC-SHA256 Credential=" + credentials.access_key + "/" +
         Scope(amz_date, credentials) + ",SignedHeaders=" + SignedHeaderNames(request.headers) +
         ",Signature=" + Signature(credentials, amz_date, to_sign);
}

}  // namespace arkwiki::s3
