// The signer against the worked examples AWS publishes for Signature
// Version 4 in the S3 API reference ("Signature Calculations for the
// Authorization Header: Transferring Payload in a Single Chunk"): access key
// AKIAIOSFODNN7EXAMPLE, bucket examplebucket, 2013-05-24T00:00:00Z,
// us-east-1. s3rver does not check signatures, so these vectors are what
// proves the signer right.
#include "offsite/sigv4.h"

#include <gtest/gtest.h>

#include "arkwiki/core/hash.h"

namespace arkwiki::s3 {
namespace {

const SigV4Credentials kExample{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                "us-east-1"};
constexpr int64_t kExampleTime = 1369353600;  // 20130524T000000Z
const std::string kHost = "examplebucket.s3.amazonaws.com";
const std::string kEmpty(kEmptySha256);

std::string SignatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4Test, GetObjectExampleMatchesEveryPublishedStep) {
  const SigV4Request request{"GET",
                             "/test.txt",
                             {},
                             {{"Host", kHost},
                              {"Range", "bytes=0-9"},
                              {"x-amz-content-sha256", kEmpty},
                              {"x-amz-date", "20130524T000000Z"}},
                             kEmpty};
  const std::string canonical = CanonicalRequest(request);
  EXPECT_EQ(canonical,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                kEmpty +
                "\nx-amz-date:20130524T000000Z\n\n"
                "host;range;x-amz-content-sha256;x-amz-date\n" +
                kEmpty);
  const std::string date = AmzDate(kExampleTime);
  ASSERT_EQ(date, "20130524T000000Z");
  const std::string to_sign = StringToSign(date, kExample, canonical);
  EXPECT_EQ(to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Signature(kExample, date, to_sign),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(AuthorizationHeader(kExample, date, request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
            "aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, PutObjectExampleSignsTheBodyHashAndEscapesTheKey) {
  const std::string body_hash = Sha256Hex("Welcome to Amazon S3.");
  ASSERT_EQ(body_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const SigV4Request request{"PUT",
                             UriEncodePath("/test$file.text"),
                             {},
                             {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"Host", kHost},
                              {"x-amz-content-sha256", body_hash},
                              {"x-amz-date", "20130524T000000Z"},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                             body_hash};
  EXPECT_EQ(request.canonical_uri, "/test%24file.text");
  const std::string auth = AuthorizationHeader(kExample, AmzDate(kExampleTime), request);
  EXPECT_NE(auth.find("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
                      "x-amz-storage-class,"),
            std::string::npos);
  EXPECT_EQ(SignatureOf(auth), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, BucketLifecycleExampleGivesAValuelessParameterAnEmptyValue) {
  const SigV4Request request{
      "GET",
      "/",
      {{"lifecycle", ""}},
      {{"Host", kHost}, {"x-amz-content-sha256", kEmpty}, {"x-amz-date", "20130524T000000Z"}},
      kEmpty};
  EXPECT_EQ(SignatureOf(AuthorizationHeader(kExample, AmzDate(kExampleTime), request)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Test, ListObjectsExampleSortsTheQuery) {
  const SigV4Request request{
      "GET",
      "/",
      {{"prefix", "J"}, {"max-keys", "2"}},
      {{"Host", kHost}, {"x-amz-content-sha256", kEmpty}, {"x-amz-date", "20130524T000000Z"}},
      kEmpty};
  EXPECT_EQ(CanonicalQueryString(request.query), "max-keys=2&prefix=J");
  EXPECT_EQ(SignatureOf(AuthorizationHeader(kExample, AmzDate(kExampleTime), request)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, AnyChangeToTheRequestChangesTheSignature) {
  SigV4Request request{
      "GET",
      "/",
      {{"prefix", "J"}, {"max-keys", "2"}},
      {{"Host", kHost}, {"x-amz-content-sha256", kEmpty}, {"x-amz-date", "20130524T000000Z"}},
      kEmpty};
  const std::string date = AmzDate(kExampleTime);
  const std::string base = AuthorizationHeader(kExample, date, request);
  request.query[0].second = "K";
  EXPECT_NE(AuthorizationHeader(kExample, date, request), base);
  request.query[0].second = "J";
  SigV4Credentials other_region = kExample;
  other_region.region = "eu-central-1";
  EXPECT_NE(AuthorizationHeader(other_region, date, request), base);
  SigV4Credentials other_secret = kExample;
  other_secret.secret_key.back() = 'X';
  EXPECT_NE(SignatureOf(AuthorizationHeader(other_secret, date, request)), SignatureOf(base));
}

TEST(SigV4Test, EncodesKeysWithTheUnreservedSetAndKeepsSlashes) {
  EXPECT_EQ(UriEncodePath("/bucket/objects/ab/c d+e=é~"), "/bucket/objects/ab/c%20d%2Be%3D%C3%A9~");
  EXPECT_EQ(UriEncodePath(""), "/");
  EXPECT_EQ(CanonicalQueryString({{"uploadId", "a/b+c=="}, {"partNumber", "2"}}),
            "partNumber=2&uploadId=a%2Fb%2Bc%3D%3D");
  EXPECT_EQ(CanonicalQueryString({{"uploads", ""}}), "uploads=");
}

}  // namespace
}  // namespace arkwiki::s3
