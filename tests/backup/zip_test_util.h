// Helpers shared by the ZIP tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "zip/zip_reader.h"
#include "zip/zip_stream_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki::testing {

// Limits that require the canonical layout arkwiki writes.
inline ZipLimits CanonicalLimits() {
  ZipLimits limits;
  limits.require_canonical = true;
  return limits;
}

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

// A canonical archive of `files` (name, content), as ZipWriter writes it.
inline std::string WriteCanonical(const std::vector<std::pair<std::string, std::string>>& files) {
  StringByteSink sink;
  ZipWriter writer(&sink);
  for (const auto& [name, data] : files) {
    Status s = writer.AddBytes(name, data, EntryOptions());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  Status s = writer.Finish();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return sink.data();
}

// The entries of the canonical archive at `path` as CraftZip takes them,
// with their data as stored: crafted back unchanged, they pass canonical
// mode (without arkwiki's optional data-CRC field), so that a test can
// change one thing (add, drop, reorder, lie) and leave the rest canonical.
inline std::vector<CraftEntry> TakeApart(const std::string& path) {
  std::vector<CraftEntry> out;
  auto zip = ZipStreamReader::Open(Env::Default(), path);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  if (!zip.ok()) return out;
  ZipStreamReader::Walk walk = (*zip)->NewWalk();
  auto file = Env::Default()->NewRandomAccessFile(path);
  EXPECT_TRUE(file.ok());
  for (;;) {
    Result<std::optional<ZipEntry>> e = walk.Next();
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    if (!e.ok() || !*e) return out;
    CraftEntry c;
    c.name = std::string((*e)->name);
    c.method = (*e)->method;
    c.data_descriptor = true;
    EXPECT_TRUE((*zip)
                    ->ReadEntry(**e,
                                [&](std::string_view chunk) {
                                  c.data.append(chunk);
                                  return Status::Ok();
                                })
                    .ok());
    std::string raw((*e)->compressed_size, '\0');
    EXPECT_TRUE((*file)->ReadAt((*e)->data_offset, raw.data(), raw.size()).ok());
    c.raw = std::move(raw);
    out.push_back(std::move(c));
  }
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
