// Encryption of off-site objects: round trips, and refusal of every kind of
// tampering (flipped, cut, extended, reordered, relocated bytes; a wrong
// passphrase; an altered key object).
#include "arkwiki/backup/offsite_crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace arkwiki {
namespace {

std::unique_ptr<OffsiteKey> NewKey(const std::string& passphrase = "correct horse") {
  auto key = OffsiteKey::Create(passphrase, KdfParams::ForTests());
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? std::move(key).value() : nullptr;
}

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

std::string Seal(const OffsiteKey& key, const std::string& bound, const std::string& plain) {
  auto sealed = EncryptBytes(key, bound, plain);
  EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
  return sealed.ok() ? *sealed : "";
}

void ExpectRefused(const OffsiteKey& key, const std::string& bound, const std::string& sealed,
                   const std::string& why) {
  auto opened = DecryptBytes(key, bound, sealed);
  ASSERT_FALSE(opened.ok()) << why;
  EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << why;
  EXPECT_NE(opened.status().message().find(bound), std::string::npos)
      << why << ": " << opened.status().message();
}

TEST(OffsiteCryptoTest, RoundTripsEverySizeAroundChunkBoundaries) {
  auto key = NewKey();
  for (size_t n :
       {size_t{0}, size_t{1}, kChunkBytes - 1, kChunkBytes, kChunkBytes + 1, 2 * kChunkBytes + 5}) {
    const std::string plain = Pattern(n);
    const std::string sealed = Seal(*key, "objects/ab/x", plain);
    EXPECT_EQ(sealed.size(), EncryptedSize(n)) << n;
    auto opened = DecryptBytes(*key, "objects/ab/x", sealed);
    ASSERT_TRUE(opened.ok()) << n << ": " << opened.status().ToString();
    EXPECT_EQ(*opened, plain) << n;
  }
}

TEST(OffsiteCryptoTest, DecryptsWhateverPiecesTheBytesArriveIn) {
  auto key = NewKey();
  const std::string plain = Pattern(kChunkBytes * 2 + 100);
  const std::string sealed = Seal(*key, "k", plain);
  StringByteSink out;
  DecryptingSink sink(*key, "k", &out);
  for (size_t at = 0; at < sealed.size(); at += 777) {
    ASSERT_TRUE(sink.Write(std::string_view(sealed).substr(at, 777)).ok());
  }
  ASSERT_TRUE(sink.Finish().ok());
  EXPECT_EQ(out.data(), plain);
}

TEST(OffsiteCryptoTest, SameContentEncryptsDifferentlyEachTime) {
  auto key = NewKey();
  EXPECT_NE(Seal(*key, "k", "same"), Seal(*key, "k", "same"));
}

TEST(OffsiteCryptoTest, RefusesAFlippedByteAnywhere) {
  auto key = NewKey();
  const std::string sealed = Seal(*key, "objects/ab/x", Pattern(kChunkBytes + 10));
  for (size_t at : {size_t{0}, size_t{9}, size_t{40}, kChunkBytes, sealed.size() - 1}) {
    std::string bad = sealed;
    bad[at] = static_cast<char>(bad[at] ^ 0x20);
    ExpectRefused(*key, "objects/ab/x", bad, "flip at " + std::to_string(at));
  }
}

TEST(OffsiteCryptoTest, RefusesAnObjectCutShortEvenAtAChunkBoundary) {
  auto key = NewKey();
  const std::string sealed = Seal(*key, "k", Pattern(2 * kChunkBytes + 10));
  const size_t first_chunk_end = 32 + kChunkBytes + 17;
  for (size_t keep : {size_t{0}, size_t{20}, size_t{32}, first_chunk_end, sealed.size() - 1}) {
    ExpectRefused(*key, "k", sealed.substr(0, keep), "cut to " + std::to_string(keep));
  }
}

TEST(OffsiteCryptoTest, RefusesBytesAfterTheFinalChunk) {
  auto key = NewKey();
  const std::string sealed = Seal(*key, "k", "abc");
  ExpectRefused(*key, "k", sealed + "x", "one byte appended");
  ExpectRefused(*key, "k", sealed + sealed.substr(32), "final chunk repeated");
}

TEST(OffsiteCryptoTest, RefusesSwappedChunks) {
  auto key = NewKey();
  const std::string sealed = Seal(*key, "k", Pattern(3 * kChunkBytes));
  const size_t c = kChunkBytes + 17;
  const std::string swapped = sealed.substr(0, 32) + sealed.substr(32 + c, c) +
                              sealed.substr(32, c) + sealed.substr(32 + 2 * c);
  ASSERT_EQ(swapped.size(), sealed.size());
  ExpectRefused(*key, "k", swapped, "chunks 1 and 2 swapped");
}

TEST(OffsiteCryptoTest, RefusesAnObjectStoredUnderAnotherName) {
  auto key = NewKey();
  const std::string sealed = Seal(*key, "objects/aa/one", "content of one");
  ExpectRefused(*key, "objects/bb/two", sealed, "object moved to another key");
}

TEST(OffsiteCryptoTest, RefusesAnObjectOfAnotherRepository) {
  auto mine = NewKey("pass");
  auto theirs = NewKey("pass");
  ExpectRefused(*mine, "k", Seal(*theirs, "k", "theirs"), "other repository");
}

TEST(OffsiteCryptoTest, UnlocksWithThePassphraseAndNamesObjectsAlike) {
  auto key = NewKey("s3cret");
  auto again = OffsiteKey::Unlock(key->key_object(), "s3cret");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->repository_id(), key->repository_id());
  Sha256Raw sha{};
  sha[0] = 7;
  EXPECT_EQ((*again)->ObjectName(sha), key->ObjectName(sha));
  auto opened = DecryptBytes(**again, "k", Seal(*key, "k", "data"));
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(*opened, "data");
}

TEST(OffsiteCryptoTest, ObjectNamesRevealNotTheSha256AndDifferPerRepository) {
  auto a = NewKey();
  auto b = NewKey();
  Sha256Raw sha{};
  sha.fill(0x11);
  const std::string name = a->ObjectName(sha);
  EXPECT_TRUE(IsLowerHex(name, 64));
  EXPECT_NE(name, HexEncode(sha.data(), sha.size()));
  EXPECT_NE(name, b->ObjectName(sha));
}

TEST(OffsiteCryptoTest, RefusesAWrongPassphraseClearly) {
  auto key = NewKey("right");
  auto wrong = OffsiteKey::Unlock(key->key_object(), "wrong");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
}

TEST(OffsiteCryptoTest, RefusesAKeyObjectWithAlteredCostOrId) {
  auto key = NewKey("pw");
  std::string text = key->key_object();
  const std::string id = key->repository_id();
  std::string other_id = text;
  other_id.replace(other_id.find(id), 1, id[0] == 'a' ? "b" : "a");
  EXPECT_EQ(OffsiteKey::Unlock(other_id, "pw").status().code(), StatusCode::kPermissionDenied);
  std::string cheaper = text;
  const size_t ops = cheaper.find("\"opslimit\"");
  ASSERT_NE(ops, std::string::npos) << text;
  const size_t digit = cheaper.find('1', ops);
  ASSERT_NE(digit, std::string::npos) << text;
  cheaper[digit] = '2';
  EXPECT_EQ(OffsiteKey::Unlock(cheaper, "pw").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(OffsiteKey::Unlock("{}", "pw").status().code(), StatusCode::kCorruption);
}

// `text` with the number after "field" : replaced by `value`.
std::string WithNumber(std::string text, const std::string& field, uint64_t value) {
  const size_t at = text.find("\"" + field + "\"");
  const size_t start = text.find_first_of("0123456789", at);
  const size_t end = text.find_first_not_of("0123456789", start);
  return text.replace(start, end - start, std::to_string(value));
}

// A key object planted on the target chooses the argon2id cost of every
// unlock: above the ceiling it is refused before any stretching, with the
// values in the message.
TEST(OffsiteKeyTest, RefusesAHostileArgonCost) {
  auto key = NewKey("pw");
  const std::string text = key->key_object();
  // The ceiling is opslimit 8 and memlimit 64 MiB (twice arkwiki's default).
  const std::string many_passes = WithNumber(text, "opslimit", 9);
  const std::string much_memory = WithNumber(text, "memlimit", (uint64_t{64} << 20) + 8192);
  for (const std::string& planted : {many_passes, much_memory}) {
    auto opened = OffsiteKey::Unlock(planted, "pw");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << opened.status().ToString();
    EXPECT_NE(opened.status().message().find("before the passphrase is stretched"),
              std::string::npos)
        << opened.status().message();
  }
  EXPECT_NE(OffsiteKey::Unlock(many_passes, "pw").status().message().find("opslimit 9"),
            std::string::npos);
  // What arkwiki itself may write is within the ceiling.
  EXPECT_TRUE(OffsiteKey::Unlock(NewKey("pw")->key_object(), "pw").ok());
  KdfParams too_costly = KdfParams::ForTests();
  too_costly.opslimit = 9;
  EXPECT_EQ(OffsiteKey::Create("pw", too_costly).status().code(), StatusCode::kInvalidArgument);
}

TEST(OffsiteCryptoTest, RefusesAnEmptyPassphrase) {
  EXPECT_EQ(OffsiteKey::Create("", KdfParams::ForTests()).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace arkwiki
