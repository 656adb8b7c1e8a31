// The S3 answers' XML: what a hostile server can put in a body is refused
// as kCorruption (or, for an error body, ignored), never a crash.
#include "offsite/s3_xml.h"

#include <gtest/gtest.h>

#include <string>

namespace arkwiki::s3 {
namespace {

std::string Nested(const std::string& root, size_t depth) {
  std::string xml = "<" + root + ">";
  for (size_t i = 0; i < depth; ++i) xml += "<a>";
  for (size_t i = 0; i < depth; ++i) xml += "</a>";
  return xml + "</" + root + ">";
}

TEST(S3XmlTest, ReadsAListPage) {
  const auto page = ParseListPage(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult><Contents><Key>objects/ab</Key>"
      "<Size>12</Size><LastModified>2026-12-03T09:50:12.000Z</LastModified></Contents>"
      "<IsTruncated>true</IsTruncated><NextContinuationToken>t1</NextContinuationToken>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "objects/ab");
  EXPECT_EQ(page->objects[0].size, 12u);
  EXPECT_EQ(page->next_token, "t1");
}

// Poco's DOM frees a document one stack frame a level: 200,000 levels
// overflowed the stack of the CLI and of the server.
TEST(S3XmlTest, ElementsNestedDeeperThanAnyAnswerAreRefusedNotACrash) {
  const std::string deep = Nested("ListBucketResult", 200000);
  const auto page = ParseListPage(deep);
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.status().code(), StatusCode::kCorruption);
  EXPECT_NE(page.status().message().find("more than 16 deep"), std::string::npos)
      << page.status().message();
  EXPECT_FALSE(ParseUploadId(Nested("InitiateMultipartUploadResult", 200000)).ok());
  EXPECT_FALSE(IsCompleteResult(Nested("CompleteMultipartUploadResult", 200000)));
  EXPECT_TRUE(ParseErrorBody(Nested("Error", 200000)).code.empty());
  // S3's own depth passes.
  EXPECT_TRUE(ParseListPage(Nested("ListBucketResult", 15)).ok());
}

TEST(S3XmlTest, ADocumentTypeOrATextOtherThanUtf8IsRefused) {
  const std::string doctype =
      "<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult [<!ENTITY e \"<a>x</a>\">]>"
      "<ListBucketResult>&e;</ListBucketResult>";
  const auto page = ParseListPage(doctype);
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("document type"), std::string::npos)
      << page.status().message();
  std::string utf16 = "\xff\xfe";
  for (char c : std::string("<ListBucketResult></ListBucketResult>")) utf16 += {c, '\0'};
  const auto wide = ParseListPage(utf16);
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("not UTF-8"), std::string::npos)
      << wide.status().message();
}

}  // namespace
}  // namespace arkwiki::s3
