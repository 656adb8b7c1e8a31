// Helpers shared by the ZIP tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "arkwiki/backup/byte_sink.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki::testing {

// Writes `bytes` to a fresh file in `dir` and opens it with ZipReader.
inline Result<std::unique_ptr<ZipReader>> OpenZipBytes(const TempDir& dir, std::string_view bytes,
                                                       const ZipLimits& limits = ZipLimits()) {
  static int counter = 0;
  std::string path = dir.Sub("archive" + std::to_string(counter++) + ".zip");
  WriteFileOrDie(path, bytes);
  return ZipReader::Open(Env::Default(), path, limits);
}

// The entry's whole content, or the failure.
inline Result<std::string> ReadAll(const ZipReader& reader, const ZipEntry& entry,
                                   std::string* sha256 = nullptr) {
  std::string out;
  Status s = reader.ReadEntry(
      entry,
      [&](std::string_view chunk) {
        out.append(chunk);
        return Status::Ok();
      },
      sha256);
  if (!s.ok()) return s;
  return out;
}

inline Status ReadAndDiscard(const ZipReader& reader, const ZipEntry& entry) {
  return reader.ReadEntry(entry, [](std::string_view) { return Status::Ok(); });
}

// Deterministic bytes that deflate cannot shrink.
inline std::string PseudoRandomBytes(size_t n, uint64_t seed = 1) {
  std::string out(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

// Text-like bytes that deflate shrinks well.
inline std::string TextBytes(size_t n) {
  static const std::string kLine =
      "The quick brown fox jumps over the lazy dog; wiki pages compress well. ";
  std::string out;
  out.reserve(n + kLine.size());
  for (size_t i = 0; out.size() < n; ++i) out += kLine + std::to_string(i) + "\n";
  out.resize(n);
  return out;
}

}  // namespace arkwiki::testing

#define ARKWIKI_ASSERT_OK(expr)                            \
  do {                                                     \
    ::arkwiki::Status _arkwiki_t = (expr);                 \
    ASSERT_TRUE(_arkwiki_t.ok()) << _arkwiki_t.ToString(); \
  } while (0)
#define ARKWIKI_EXPECT_OK(expr)                            \
  do {                                                     \
    ::arkwiki::Status _arkwiki_t = (expr);                 \
    EXPECT_TRUE(_arkwiki_t.ok()) << _arkwiki_t.ToString(); \
  } while (0)
