#include "offsite/s3_xml.h"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/Exception.h>
#include <Poco/NumberParser.h>
#include <Poco/SAX/DefaultHandler.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/markup_escape.h"
#include "offsite/shown_text.h"

namespace arkwiki::s3 {
namespace {

using Poco::AutoPtr;
using Poco::XML::Document;
using Poco::XML::Element;

// S3's answers nest elements three deep; a few more for other servers.
constexpr int kMaxXmlDepth = 16;

// Counts how deep elements nest, and stops the parse past kMaxXmlDepth.
class DepthLimit final : public Poco::XML::DefaultHandler {
 public:
  void startElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                    const Poco::XML::XMLString&, const Poco::XML::Attributes&) override {
    if (++depth_ > kMaxXmlDepth) {
      throw Poco::XML::SAXException("the answer nests XML elements more than " +
                                    std::to_string(kMaxXmlDepth) + " deep");
    }
  }
  void endElement(const Poco::XML::XMLString&, const Poco::XML::XMLString&,
                  const Poco::XML::XMLString&) override {
    --depth_;
  }

 private:
  int depth_ = 0;
};

// Refuses what Poco's DOM cannot be trusted with: a document type (no S3
// answer has one, and expat expands entities recursively), looked for in
// the text, so the text must be UTF-8 or ASCII (S3 sends UTF-8; UTF-16 or
// UTF-32 would hide the declaration, and always hold a NUL byte); and
// elements nested past kMaxXmlDepth, which a SAX pass counts first: the DOM
// frees a document recursively, one stack frame a level, and an answer
// nested 200,000 deep (1.4 MB) overflowed the stack. Poco's parser does not
// fetch external entities unless given a resolver; the features below also
// refuse them outright.
AutoPtr<Document> Parse(const std::string& xml) {
  if (xml.find('\0') != std::string::npos) {
    throw Poco::XML::SAXException("the answer is not UTF-8 text");
  }
  if (xml.find("<!DOCTYPE") != std::string::npos) {
    throw Poco::XML::SAXException("the answer has a document type declaration");
  }
  {
    Poco::XML::SAXParser depth_pass;
    DepthLimit limit;
    depth_pass.setContentHandler(&limit);
    depth_pass.parseString(xml);
  }
  Poco::XML::DOMParser parser;
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  return parser.parseString(xml);
}

std::string ChildText(const Element* parent, const std::string& name) {
  const Element* child = parent == nullptr ? nullptr : parent->getChildElement(name);
  return child == nullptr ? "" : child->innerText();
}

std::string XmlEscape(const std::string& s) { return MarkupEscape(s); }

// "2026-12-03T09:50:12.000Z" (S3 gives milliseconds; some servers none)
// in Unix seconds; 0 when it is missing or not in that form.
int64_t ParseLastModified(std::string text) {
  const size_t dot = text.find('.');
  if (dot != std::string::npos && !text.empty() && text.back() == 'Z') {
    text.erase(dot, text.size() - 1 - dot);
  }
  const int64_t t = ParseIsoUtc(text);
  return t > 0 ? t : 0;
}

Result<ListPage> ReadListPage(const Element* root) {
  if (root == nullptr || root->localName() != "ListBucketResult") {
    return Status::Corruption("the list answer is not a ListBucketResult");
  }
  ListPage page;
  AutoPtr<Poco::XML::NodeList> contents = root->getElementsByTagName("Contents");
  for (unsigned long i = 0; i < contents->length(); ++i) {
    const auto* entry = static_cast<const Element*>(contents->item(i));
    OffsiteObject object;
    object.key = ChildText(entry, "Key");
    object.size = Poco::NumberParser::parseUnsigned64(ChildText(entry, "Size"));
    object.modified = ParseLastModified(ChildText(entry, "LastModified"));
    page.objects.push_back(std::move(object));
  }
  if (ChildText(root, "IsTruncated") == "true") {
    page.next_token = ChildText(root, "NextContinuationToken");
    if (page.next_token.empty()) {
      return Status::Corruption("a truncated list answer has no NextContinuationToken");
    }
  }
  return page;
}

}  // namespace

ErrorBody ParseErrorBody(const std::string& xml) {
  ErrorBody body;
  if (xml.empty()) return body;
  try {
    AutoPtr<Document> doc = Parse(xml);
    const Element* root = doc->documentElement();
    if (root != nullptr && root->localName() == "Error") {
      body.code = ChildText(root, "Code");
      body.message = ChildText(root, "Message");
    }
  } catch (const Poco::Exception&) {
    // Not XML (a proxy's HTML page, say): the caller falls back to the status.
  }
  return body;
}

Result<std::string> ParseUploadId(const std::string& xml) {
  try {
    AutoPtr<Document> doc = Parse(xml);
    std::string id = ChildText(doc->documentElement(), "UploadId");
    if (id.empty()) return Status::Corruption("CreateMultipartUpload answered without an UploadId");
    return id;
  } catch (const Poco::Exception& e) {
    return Status::Corruption("CreateMultipartUpload answer is not XML: " +
                              ShownText(e.displayText()));
  }
}

Result<ListPage> ParseListPage(const std::string& xml) {
  try {
    AutoPtr<Document> doc = Parse(xml);
    return ReadListPage(doc->documentElement());
  } catch (const Poco::Exception& e) {
    return Status::Corruption("ListObjectsV2 answer is not valid: " + ShownText(e.displayText()));
  }
}

bool IsCompleteResult(const std::string& xml) {
  try {
    AutoPtr<Document> doc = Parse(xml);
    const Element* root = doc->documentElement();
    return root != nullptr && root->localName() == "CompleteMultipartUploadResult";
  } catch (const Poco::Exception&) {
    return false;
  }
}

std::string CompleteMultipartBody(const std::vector<FinishedPart>& parts) {
  std::string out = "<CompleteMultipartUpload>";
  for (const FinishedPart& part : parts) {
    out += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" +
           XmlEscape(part.etag) + "</ETag></Part>";
  }
  return out + "</CompleteMultipartUpload>";
}

}  // namespace arkwiki::s3
