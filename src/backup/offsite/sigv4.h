// AWS Signature Version 4 for S3 (header-based, single-chunk payload):
// the canonical request, the string to sign, the signing key and the
// Authorization header, as AWS specifies them for S3. Pure functions; the
// HMAC and SHA-256 are OpenSSL's. Tested against AWS's published worked
// examples (tests/backup/offsite/sigv4_test.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arkwiki::s3 {

using NameValues = std::vector<std::pair<std::string, std::string>>;

struct SigV4Credentials {
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string service = "s3";
};

struct SigV4Request {
  std::string method;
  // The path as sent, already URI-encoded (UriEncodePath).
  std::string canonical_uri;
  // Query parameters, not encoded; a parameter without a value has "".
  NameValues query;
  // Every header to sign, with its value as sent. Must include host,
  // x-amz-date and x-amz-content-sha256.
  NameValues headers;
  // Lowercase hex SHA-256 of the body (x-amz-content-sha256's value).
  std::string payload_sha256;
};

// 20130524T000000Z.
std::string AmzDate(int64_t unix_seconds);
// Encodes each '/'-separated segment of `path` with the RFC 3986
// unreserved set and keeps the slashes; "" becomes "/".
std::string UriEncodePath(std::string_view path);
// "a=1&b=x%20y": sorted by encoded name, names and values encoded.
std::string CanonicalQueryString(const NameValues& query);
// "host;range;x-amz-date": lowercase names, sorted.
std::string SignedHeaderNames(const NameValues& headers);
std::string CanonicalRequest(const SigV4Request& request);
// `amz_date` is AmzDate()'s form.
std::string StringToSign(const std::string& amz_date, const SigV4Credentials& credentials,
                         const std::string& canonical_request);
// Lowercase hex HMAC-SHA256 of the string to sign under the key derived
// from the secret, the date, the region and the service.
std::string Signature(const SigV4Credentials& credentials, const std::string& amz_date,
                      const std::string& string_to_sign);
// "AWS4-HMAC-SHA256 Credential=AK/20130524/us-east-1/s3/aws4_request,
// SignedHeaders=...,Signature=...".
std::string AuthorizationHeader(const SigV4Credentials& credentials, const std::string& amz_date,
                                const SigV4Request& request);

// Lowercase hex SHA-256 of the empty string.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The x-amz-content-sha256 of a body signed without its hash (SigV4 header
// authentication allows it for S3), for a body sent as it is produced.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

}  // namespace arkwiki::s3
