// The S3 client against a hostile or broken server, played by the fault
// proxy's raw answers: huge and endless bodies, lengths that lie, a part
// without an ETag, redirects to another host, and errors inside a 200
// answer. Each is refused cleanly (or retried when S3 asks for that),
// with memory bounded and without taking stray bytes for an answer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/hash.h"
#include "backup/offsite/s3_test_util.h"

namespace arkwiki::testing {
namespace {

using Action = FaultRule::Action;
using S3HostileServerTest = S3TargetTest;

FaultRule Raw(const std::string& method, const std::string& target_contains,
              const std::string& answer) {
  FaultRule rule;
  rule.action = Action::kRawAnswer;
  rule.method = method;
  rule.target_contains = target_contains;
  rule.raw_answer = answer;
  return rule;
}

// An answer whose chunked body never ends: 64 KiB chunks for as long as
// the client reads.
FaultRule Endless(const std::string& method, const std::string& target_contains,
                  const std::string& status_line) {
  FaultRule rule = Raw(method, target_contains,
                       status_line +
                           "\r\nContent-Type: application/xml\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n");
  rule.raw_repeat = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
  return rule;
}

TEST_F(S3HostileServerTest, EndlessListAnswerIsRefusedAfterTheCap) {
  auto proxy = StartProxy();
  proxy->AddRule(Endless("GET", "list-type", "HTTP/1.1 200 OK"));
  const auto listed = Open(Config(proxy.get()))->List("objects/");
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kIoError);
  EXPECT_NE(listed.status().message().find("larger than 8 MiB"), std::string::npos)
      << listed.status().ToString();
  EXPECT_EQ(proxy->Count("GET", "list-type"), 1) << "not retried: no S3 answer is that long";
}

// Takes at most `cap` bytes, then refuses, so a client that never stops
// reading still ends.
class CappedSink : public ByteSink {
 public:
  explicit CappedSink(uint64_t cap) : cap_(cap) {}
  Status Write(std::string_view data) override {
    bytes += data.size();
    return bytes <= cap_ ? Status::Ok() : Status::TooLarge("the test's sink is full");
  }
  uint64_t bytes = 0;

 private:
  uint64_t cap_;
};

TEST_F(S3HostileServerTest, EndlessObjectIsStoppedAtMaxBytes) {
  auto proxy = StartProxy();
  proxy->AddRule(Endless("GET", "/objects/endless", "HTTP/1.1 200 OK"));
  proxy->AddRule(
      Raw("GET", "/objects/declared",
          "HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n" + std::string(1000, 'x')));
  auto target = Open(Config(proxy.get()));
  for (const std::string key : {"objects/endless", "objects/declared"}) {
    CappedSink sink(uint64_t{64} << 20);
    const Status s = target->Get(key, 100000, &sink);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << key << ": " << s.ToString();
    EXPECT_NE(s.message().find("longer than the 100000 bytes"), std::string::npos) << s.message();
    EXPECT_LE(sink.bytes, 100000u) << key;
    EXPECT_EQ(proxy->Count("GET", key), 1) << "not retried";
  }
}

// An object that trickles in one byte per chunk, each well within the
// socket timeout, forever: the whole-request deadline ends it. The clock
// moves one second at each look, so the deadline passes after a few reads
// however fast the machine is.
TEST_F(S3HostileServerTest, TricklingAnswerEndsAtTheRequestDeadline) {
  auto proxy = StartProxy();
  FaultRule trickle =
      Raw("GET", "/objects/trickle", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
  trickle.raw_repeat = "1\r\nx\r\n";
  proxy->AddRule(trickle);
  S3TargetConfig config = Config(proxy.get());
  auto ticks = std::make_shared<std::atomic<int64_t>>(0);
  config.deadline_clock = [ticks] { return ticks->fetch_add(1000) + 1000; };
  config.request_deadline_ms = 20000;
  config.deadline_ms_per_mib = 0;
  CappedSink sink(uint64_t{1} << 20);  // ends the test if the deadline does not
  const Status s = Open(config)->Get("objects/trickle", UINT64_MAX, &sink);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("did not finish within its deadline"), std::string::npos)
      << s.message();
  EXPECT_LT(sink.bytes, 100u) << "read on past the deadline";
  EXPECT_EQ(proxy->Count("GET", "/objects/trickle"), 1) << "not retried past the deadline";
}

// True when `text` holds a byte that is no printable ASCII or a C1 or
// bidirectional control in UTF-8 (U+0080..U+009F, U+202A..U+202E).
bool HasHiddenCharacter(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      return true;
    }
    if (text.compare(i, 2, "\xE2\x80") == 0 && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 2]) >= 0xAA &&
        static_cast<unsigned char>(text[i + 2]) <= 0xAE) {
      return true;
    }
  }
  return false;
}

// What the server writes in an error, and a key it listed, reach the CLI,
// the journal, the JSON API and Settings only filtered and cut short.
TEST_F(S3HostileServerTest, ServerTextIsFilteredAndCutInMessages) {
  auto proxy = StartProxy();
  // XML allows line feeds, C1 controls (U+009B is CSI) and U+202E (RLO).
  const std::string message =
      "denied\nFORGED LOG LINE \xC2\x9B"
      "31m\xE2\x80\xAE" +
      std::string(5000, 'A');
  const std::string body =
      "<Error><Code>Weird\xC2\x9B</Code><Message>" + message + "</Message></Error>";
  proxy->AddRule(Raw("PUT", "/objects/k",
                     "HTTP/1.1 400 Bad Request\r\nContent-Type: application/xml\r\n"
                     "Content-Length: " +
                         std::to_string(body.size()) + "\r\n\r\n" + body));
  FaultRule refused;
  refused.action = Action::kAnswer;
  refused.method = "DELETE";
  refused.status = 400;
  refused.code = "Refused";
  proxy->AddRule(refused);
  auto target = Open(Config(proxy.get()));
  const Status put = target->Put("objects/k", StringSource("payload"));
  EXPECT_EQ(put.code(), StatusCode::kIoError) << put.ToString();
  EXPECT_FALSE(HasHiddenCharacter(put.message())) << put.message();
  EXPECT_NE(put.message().find("denied\\x0AFORGED"), std::string::npos) << put.message();
  EXPECT_LT(put.message().size(), 600u) << "the server's message was not cut";
  // A key as a hostile listing could name it, on its way into a message.
  const Status removed = target->Remove("objects/\n\xE2\x80\xAEx");
  EXPECT_EQ(removed.code(), StatusCode::kIoError) << removed.ToString();
  EXPECT_FALSE(HasHiddenCharacter(removed.message())) << removed.message();
  EXPECT_NE(removed.message().find("objects/\\x0A\\u{202E}x"), std::string::npos)
      << removed.message();
}

// A key object padded to any length stays valid JSON that unlocks; read
// from a bucket it stops at 64 KiB like one from a directory.
TEST_F(S3HostileServerTest, OversizedKeyObjectIsRefusedUnread) {
  auto target = Open(Config());
  auto made = OffsiteKey::Create("pw", KdfParams::ForTests());
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  std::string padded = (*made)->key_object();
  padded.insert(1, std::string(size_t{1} << 20, ' '));
  ASSERT_TRUE(target->Put("key", StringSource(padded)).ok());
  auto unlocked = UnlockTarget(target.get(), "pw");
  ASSERT_FALSE(unlocked.ok()) << "a 1 MiB key object was read and used";
  EXPECT_EQ(unlocked.status().code(), StatusCode::kCorruption) << unlocked.status().ToString();
  EXPECT_NE(unlocked.status().message().find("longer than the 65536 bytes"), std::string::npos)
      << unlocked.status().message();
}

// A server that answers every page with a new continuation token would be
// listed forever; max_listed_keys ends it, an empty page counting as one.
TEST_F(S3HostileServerTest, ListingThatPagesOnForeverIsRefused) {
  auto proxy = StartProxy();
  for (int page = 1; page <= 6; ++page) {
    const std::string body =
        "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t" +
        std::to_string(page) + "</NextContinuationToken></ListBucketResult>";
    proxy->AddRule(Raw(
        "GET", "list-type",
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  }
  S3TargetConfig config = Config(proxy.get());
  config.max_listed_keys = 3;
  const auto listed = Open(config)->List("objects/");
  EXPECT_EQ(listed.status().code(), StatusCode::kCorruption) << listed.status().ToString();
  EXPECT_NE(listed.status().message().find("max_listed_keys"), std::string::npos)
      << listed.status().message();
  EXPECT_EQ(proxy->Count("GET", "list-type"), 4) << "stopped at the page past the cap";
}

// A listed key is kept only if it could be arkwiki's: pages of keys of
// megabytes each would otherwise fill memory up to max_listed_keys keys.
TEST_F(S3HostileServerTest, ListedKeysLongerThanAnyArkwikiWritesAreNotKept) {
  auto proxy = StartProxy();
  const std::string own = "bench/objects/ab/" + std::string(64, 'a');
  const std::string body = "<ListBucketResult><Contents><Key>" + own +
                           "</Key><Size>1</Size></Contents><Contents><Key>bench/objects/" +
                           std::string(1 << 20, 'x') +
                           "</Key><Size>1</Size></Contents></ListBucketResult>";
  proxy->AddRule(
      Raw("GET", "list-type",
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  S3TargetConfig config = Config(proxy.get());
  config.key_prefix = "bench/";
  const auto listed = Open(config)->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "objects/ab/" + std::string(64, 'a'));
}

// A listing nested deeper than any S3 answer is refused, not a crash
// (s3_xml_test.cpp has the parser's side).
TEST_F(S3HostileServerTest, DeeplyNestedListAnswerIsRefused) {
  auto proxy = StartProxy();
  std::string body = "<ListBucketResult>";
  for (int i = 0; i < 200000; ++i) body += "<a>";
  for (int i = 0; i < 200000; ++i) body += "</a>";
  body += "</ListBucketResult>";
  proxy->AddRule(
      Raw("GET", "list-type",
          "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  const auto listed = Open(Config(proxy.get()))->List("snapshots/");
  EXPECT_EQ(listed.status().code(), StatusCode::kCorruption) << listed.status().ToString();
  EXPECT_NE(listed.status().message().find("deep"), std::string::npos) << listed.status().message();
}

// Poco reads a chunk-size line byte by byte below the answer's body: an
// endless chunk extension streamed at full speed is ended by the deadline
// too, since the socket itself checks it.
TEST_F(S3HostileServerTest, EndlessChunkExtensionEndsAtTheRequestDeadline) {
  auto proxy = StartProxy();
  FaultRule endless =
      Raw("GET", "/objects/extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;");
  endless.raw_repeat = std::string(4096, 'e');
  proxy->AddRule(endless);
  S3TargetConfig config = Config(proxy.get());
  auto ticks = std::make_shared<std::atomic<int64_t>>(0);
  config.deadline_clock = [ticks] { return ticks->fetch_add(1000) + 1000; };
  config.request_deadline_ms = 20000;
  config.deadline_ms_per_mib = 0;
  CappedSink sink(uint64_t{1} << 20);
  const Status s = Open(config)->Get("objects/extension", UINT64_MAX, &sink);
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("did not finish within its deadline"), std::string::npos)
      << s.message();
  EXPECT_EQ(sink.bytes, 0u);
  EXPECT_EQ(proxy->Count("GET", "/objects/extension"), 1) << "not retried past the deadline";
}

TEST_F(S3HostileServerTest, EndlessErrorAnswerIsCutAndItsStatusKept) {
  auto proxy = StartProxy();
  FaultRule rule = Endless("PUT", "/objects/k", "HTTP/1.1 500 Internal Server Error");
  rule.times = 2;
  proxy->AddRule(rule);
  S3TargetConfig config = Config(proxy.get());
  config.max_attempts = 2;
  const Status s = Open(config)->Put("objects/k", StringSource("payload"));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("HTTP 500"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("after 2 attempts"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 2);
}

TEST_F(S3HostileServerTest, BytesPastTheContentLengthAreNotTakenForTheNextAnswer) {
  auto proxy = StartProxy();
  // An empty 200 followed by a second, forged answer on the same connection.
  proxy->AddRule(Raw("PUT", "/objects/k",
                     "HTTP/1.1 200 OK\r\nETag: \"forged\"\r\nContent-Length: 0\r\n\r\n"
                     "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  auto target = Open(Config(proxy.get()));
  ASSERT_TRUE(target->Put("objects/k", StringSource("payload")).ok());
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 2) << "sent again on a new connection";
  const auto size = target->Stat("objects/k");
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, 7u) << "the forged answer was not taken for the HEAD's";
}

TEST_F(S3HostileServerTest, AnswerCutShortOfItsContentLengthIsRetried) {
  auto proxy = StartProxy();
  auto target = Open(Config(proxy.get()));
  ASSERT_TRUE(target->Put("objects/a", StringSource("a")).ok());
  FaultRule cut =
      Raw("GET", "list-type", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<ListBucketResult>");
  cut.close_after = true;
  proxy->AddRule(cut);
  const auto listed = target->List("objects/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "objects/a");
  EXPECT_EQ(proxy->Count("GET", "list-type"), 2);
}

TEST_F(S3HostileServerTest, PartAnsweredWithoutAnETagIsRefused) {
  auto proxy = StartProxy();
  proxy->AddRule(Raw("PUT", "partNumber=1&", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  const std::string data = PatternBytes(kS3MinPartSize + 10, 3);
  const Status s = Open(Config(proxy.get()))->Put("objects/big", StringSource(data));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("without an ETag"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("POST", "uploadId="), 0) << "never completed";
}

TEST_F(S3HostileServerTest, RedirectToAnotherHostIsNotFollowed) {
  auto proxy = StartProxy();
  FaultProxy elsewhere(server_->port());  // stands for another host
  ASSERT_TRUE(elsewhere.ok());
  proxy->AddRule(Raw("PUT", "/objects/k",
                     "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:" +
                         std::to_string(elsewhere.port()) + "/" + kBucket +
                         "/objects/k\r\nContent-Length: 0\r\n\r\n"));
  const Status s = Open(Config(proxy.get()))->Put("objects/k", StringSource("payload"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("redirects are not followed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::to_string(elsewhere.port())), std::string::npos) << s.message();
  EXPECT_TRUE(elsewhere.Seen().empty()) << "no request, and no credentials, went elsewhere";
  EXPECT_EQ(proxy->Count("PUT", "/objects/k"), 1);
}

TEST_F(S3HostileServerTest, PermanentRedirectNamesTheSettingsToChange) {
  auto proxy = StartProxy();
  FaultRule moved;
  moved.action = Action::kAnswer;
  moved.method = "GET";
  moved.status = 301;
  moved.code = "PermanentRedirect";
  proxy->AddRule(moved);
  const auto listed = Open(Config(proxy.get()))->List("objects/");
  EXPECT_EQ(listed.status().code(), StatusCode::kInvalidArgument) << listed.status().ToString();
  EXPECT_NE(listed.status().message().find("set the endpoint and region"), std::string::npos)
      << listed.status().message();
}

TEST_F(S3HostileServerTest, CompleteAnsweredOkWithARetryableErrorInsideIsRetried) {
  auto proxy = StartProxy();
  FaultRule inside;
  inside.action = Action::kAnswer;
  inside.method = "POST";
  inside.target_contains = "uploadId=";
  inside.status = 200;
  inside.code = "InternalError";
  proxy->AddRule(inside);
  auto target = Open(Config(proxy.get()));
  const std::string data = PatternBytes(kS3MinPartSize + 10, 4);
  const Status s = target->Put("objects/big", StringSource(data));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(proxy->Count("POST", "uploadId="), 2);
  StringByteSink got;
  ASSERT_TRUE(target->Get("objects/big", UINT64_MAX, &got).ok());
  EXPECT_EQ(Sha256Hex(got.data()), Sha256Hex(data));
  EXPECT_EQ(StateFiles(), 0);
}

TEST_F(S3HostileServerTest, CompleteAnsweredOkWithAccessDeniedInsideIsRefused) {
  auto proxy = StartProxy();
  FaultRule inside;
  inside.action = Action::kAnswer;
  inside.method = "POST";
  inside.target_contains = "uploadId=";
  inside.status = 200;
  inside.code = "AccessDenied";
  proxy->AddRule(inside);
  auto target = Open(Config(proxy.get()));
  const Status s = target->Put("objects/big", StringSource(PatternBytes(kS3MinPartSize + 1, 5)));
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_NE(s.message().find("grant it"), std::string::npos) << s.message();
  EXPECT_EQ(proxy->Count("POST", "uploadId="), 1);
  EXPECT_EQ(target->Stat("objects/big").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(StateFiles(), 1) << "kept, so that a later Put resumes";
}

TEST_F(S3HostileServerTest, CompleteAnsweredOkWithoutAResultIsRefused) {
  auto proxy = StartProxy();
  proxy->AddRule(Raw("POST", "uploadId=", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  const Status s = Open(Config(proxy.get()))
                       ->Put("objects/big", StringSource(PatternBytes(kS3MinPartSize + 1, 6)));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
  EXPECT_NE(s.message().find("without a CompleteMultipartUploadResult"), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace arkwiki::testing
