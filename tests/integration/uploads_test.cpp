// Uploads over a real socket: streaming, limits, serving, bad input.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include "arkwiki/core/hash.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

class UploadsTest : public WikiServerTest {
 protected:
  void SetUp() override {
    WikiServerTest::SetUp();
    ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Docs","markdown":"files here"})").status, 201);
  }
  HttpResponse Upload(const std::string& name, const std::string& content,
                      const std::string& field = "file") {
    return Client("editor").Request("POST", "/api/pages/docs/uploads",
                                    MultipartBody("XyZ", field, name, content),
                                    "multipart/form-data; boundary=XyZ");
  }
};

TEST_F(UploadsTest, UploadReturnsHashAndServesBytesBack) {
  HttpResponse r = Upload("notes.txt", "hello upload");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(Sha256Hex("hello upload")), std::string::npos);
  HttpResponse file = Client().Get("/files/docs/notes.txt");
  EXPECT_EQ(file.status, 200);
  EXPECT_EQ(file.body, "hello upload");
  EXPECT_EQ(file.Header("content-length"), "12");
  EXPECT_EQ(file.Header("etag"), "\"" + Sha256Hex("hello upload") + "\"");
  EXPECT_NE(file.Header("content-disposition").find("filename=\"notes.txt\""), std::string::npos);
}

TEST_F(UploadsTest, RangeAndConditionalRequests) {
  ASSERT_EQ(Upload("abc.txt", "0123456789").status, 201);
  HttpResponse part =
      Client().Request("GET", "/files/docs/abc.txt", "", "", {{"Range", "bytes=2-4"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  EXPECT_EQ(part.Header("content-range"), "bytes 2-4/10");
  HttpResponse tail =
      Client().Request("GET", "/files/docs/abc.txt", "", "", {{"Range", "bytes=-3"}});
  EXPECT_EQ(tail.body, "789");
  HttpResponse bad =
      Client().Request("GET", "/files/docs/abc.txt", "", "", {{"Range", "bytes=50-60"}});
  EXPECT_EQ(bad.status, 416);
  HttpResponse same = Client().Request("GET", "/files/docs/abc.txt", "", "",
                                       {{"If-None-Match", "\"" + Sha256Hex("0123456789") + "\""}});
  EXPECT_EQ(same.status, 304);
}

// A client resuming a download of a file replaced meanwhile (same name,
// other bytes) must not splice the new bytes onto the old: an If-Range that
// names another version gets the whole file, 200.
TEST_F(UploadsTest, AnIfRangeForAnotherVersionGetsTheWholeFile) {
  ASSERT_EQ(Upload("abc.txt", "0123456789").status, 201);
  const std::string etag = "\"" + Sha256Hex("0123456789") + "\"";
  HttpResponse same = Client().Request("GET", "/files/docs/abc.txt", "", "",
                                       {{"Range", "bytes=2-4"}, {"If-Range", etag}});
  EXPECT_EQ(same.status, 206);
  EXPECT_EQ(same.body, "234");
  for (const std::string& other : {"\"" + Sha256Hex("old bytes") + "\"", std::string("W/") + etag,
                                   std::string("Sat, 05 Dec 2026 10:00:00 GMT")}) {
    HttpResponse whole = Client().Request("GET", "/files/docs/abc.txt", "", "",
                                          {{"Range", "bytes=2-4"}, {"If-Range", other}});
    EXPECT_EQ(whole.status, 200) << other;
    EXPECT_EQ(whole.body, "0123456789") << other;
    EXPECT_EQ(whole.Header("content-range"), "") << other;
  }
}

// A page's text links its files as /files/<slug>/<name>: after a rename the
// old address redirects to the new one, as /wiki/<old> does, unless the
// visitor may not see the page.
TEST_F(UploadsTest, ARenamedPagesFilesAnswerAtTheOldSlugWithARedirect) {
  ASSERT_EQ(Upload("pic.txt", "picture").status, 201);
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/docs/rename", R"({"slug":"papers"})", "application/json")
          .status,
      200);
  HttpResponse old = Client().Get("/files/docs/pic.txt");
  EXPECT_EQ(old.status, 301);
  EXPECT_EQ(old.Header("location"), "/files/papers/pic.txt");
  EXPECT_EQ(Client().Get("/files/papers/pic.txt").body, "picture");
  ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Hidden","markdown":"x","visibility":"private"})")
                .status,
            201);
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/docs/uploads", MultipartBody("XyZ", "file", "s.txt", "s"),
                   "multipart/form-data; boundary=XyZ")
          .status,
      201);
  ASSERT_EQ(
      Client("editor")
          .Request("POST", "/api/pages/docs/rename", R"({"slug":"hidden"})", "application/json")
          .status,
      200);
  EXPECT_EQ(Client().Get("/files/docs/s.txt").status, 404);
  EXPECT_EQ(Client("reader").Get("/files/docs/s.txt").status, 301);
}

TEST_F(UploadsTest, TraversalInUploadNameIsNeutralised) {
  HttpResponse r = Upload("../../etc/passwd", "x");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_NE(r.body.find(R"("name":"passwd")"), std::string::npos);
  EXPECT_EQ(Upload("..", "x").status, 400);
  EXPECT_EQ(Client().Get("/files/docs/..%2f..%2fetc%2fpasswd").status, 404);
}

TEST_F(UploadsTest, BrokenMultipartIs400AndLeavesNoTempFiles) {
  HttpResponse r =
      Client("editor").Request("POST", "/api/pages/docs/uploads",
                               "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                               "filename=\"a.txt\"\r\n\r\nunterminated",
                               "multipart/form-data; boundary=XyZ");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Upload("a.txt", "x", "notfile").status, 400);
  EXPECT_EQ(
      Client("editor").Request("POST", "/api/pages/docs/uploads", "plain", "text/plain").status,
      400);
  EXPECT_EQ(TreeFingerprint(dir_.Sub("data/tmp")), "");
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

TEST_F(UploadsTest, OverLimitUploadGets413AndNothingIsWritten) {
  ASSERT_EQ(Client("admin")
                .Request("PUT", "/api/settings", R"({"upload_max_bytes":1000})", "application/json")
                .status,
            200);
  HttpResponse r = Upload("big.bin", std::string(5000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("upload limit"), std::string::npos);
  EXPECT_EQ(TreeFingerprint(dir_.Sub("data/tmp")), "");
  EXPECT_EQ(Client().Get("/api/pages/docs/uploads").body.find("big.bin"), std::string::npos);
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

// Streams `total` bytes from a small buffer so the test itself stays small.
int StreamUpload(int port, const std::string& token, uint64_t total) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  session.setTimeout(Poco::Timespan(300, 0));
  const std::string head =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n";
  const std::string tail = "\r\n--XyZ--\r\n";
  Poco::Net::HTTPRequest rq("POST", "/api/pages/docs/uploads", "HTTP/1.1");
  rq.set("Authorization", "Bearer " + token);
  rq.setContentType("multipart/form-data; boundary=XyZ");
  rq.setContentLength64(static_cast<Poco::Int64>(head.size() + total + tail.size()));
  std::ostream& out = session.sendRequest(rq);
  out << head;
  std::string chunk(1 << 20, 'z');
  for (uint64_t sent = 0; sent < total; sent += chunk.size()) {
    out.write(chunk.data(),
              static_cast<std::streamsize>(std::min<uint64_t>(chunk.size(), total - sent)));
  }
  out << tail;
  Poco::Net::HTTPResponse rs;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(rs), body);
  return rs.getStatus();
}

TEST_F(UploadsTest, TwoHundredMegabyteUploadLeavesServerMemoryFlat) {
  ASSERT_EQ(
      Client("admin")
          .Request("PUT", "/api/settings", R"({"upload_max_bytes":300000000})", "application/json")
          .status,
      200);
  long before = server_->RssKiB();
  ASSERT_EQ(StreamUpload(server_->port(), tokens_["editor"], 200ull << 20), 201);
  long peak = server_->PeakRssKiB();
  long growth_mib = (peak - before) / 1024;
  std::printf("[ measure ] RSS before %ld KiB, peak %ld KiB, growth %ld MiB for 200 MiB upload\n",
              before, peak, growth_mib);
  EXPECT_LT(growth_mib, 32) << "server memory grew with the upload size";
}

}  // namespace
}  // namespace arkwiki::testing
