// BackgroundMd5: the digest computed on the hasher's thread is the MD5 of
// exactly the bytes given, in order, whatever the pieces, and one hasher
// serves digest after digest.
#include "offsite/background_md5.h"

#include <gtest/gtest.h>

#include <Poco/Crypto/DigestEngine.h>
#include <Poco/DigestEngine.h>

#include <memory>
#include <string>

#include "backup/offsite/s3_test_util.h"

namespace arkwiki::testing {
namespace {

std::string InlineMd5(const std::string& data) {
  Poco::Crypto::DigestEngine md5("MD5");
  md5.update(data.data(), data.size());
  return Poco::DigestEngine::digestToHex(md5.digest());
}

std::string Finish(s3::BackgroundMd5* md5) {
  auto hex = md5->FinishHex();
  EXPECT_TRUE(hex.ok()) << hex.status().ToString();
  return hex.ok() ? *hex : "";
}

TEST(BackgroundMd5Test, DigestsTheBytesGivenWhateverThePieces) {
  s3::BackgroundMd5 md5;
  md5.Start();
  ASSERT_TRUE(md5.Update("The quick brown fox ").ok());
  ASSERT_TRUE(md5.Update("").ok());
  ASSERT_TRUE(md5.Update("jumps over the lazy dog").ok());
  EXPECT_EQ(Finish(&md5), "9e107d9d372bb6826bd81d3542a419d6");

  const std::string data = PatternBytes((size_t{5} << 20) + 333, 7);
  for (const size_t piece : {size_t{1}, size_t{4093}, size_t{1} << 20, data.size()}) {
    md5.Start();
    for (size_t at = 0; at < data.size(); at += piece) {
      // Each piece lives only as long as its Update: the hasher keeps a copy.
      std::string copy = data.substr(at, piece);
      ASSERT_TRUE(md5.Update(copy).ok());
      copy.assign(copy.size(), 'x');
      if (piece == 1 && at > 20000) {
        ASSERT_TRUE(md5.Update(data.substr(at + 1)).ok());
        break;
      }
    }
    EXPECT_EQ(Finish(&md5), InlineMd5(data)) << "pieces of " << piece;
  }
}

TEST(BackgroundMd5Test, NothingGivenIsTheMd5OfNoBytes) {
  s3::BackgroundMd5 md5;
  md5.Start();
  EXPECT_EQ(Finish(&md5), "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(BackgroundMd5Test, StartDropsAnUnfinishedDigest) {
  s3::BackgroundMd5 md5;
  md5.Start();
  ASSERT_TRUE(md5.Update(PatternBytes(3 << 20, 8)).ok());  // a body cut short
  md5.Start();
  const std::string next = PatternBytes(1 << 20, 9);
  ASSERT_TRUE(md5.Update(next).ok());
  EXPECT_EQ(Finish(&md5), InlineMd5(next));
}

TEST(BackgroundMd5Test, AHasherDestroyedWithAPieceInFlightStops) {
  auto md5 = std::make_unique<s3::BackgroundMd5>();
  md5->Start();
  ASSERT_TRUE(md5->Update(PatternBytes(4 << 20, 10)).ok());
  md5.reset();  // joins the hasher, whether or not it took the piece
  SUCCEED();
}

}  // namespace
}  // namespace arkwiki::testing
