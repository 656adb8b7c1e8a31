#include "fuzz/archive_reader_harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "format/manifest_parser.h"
#include "fuzz/split_archive_harness.h"
#include "verify/archive_checks.h"
#include "zip/zip_reader.h"
#include "zip/zip_stream_reader.h"

namespace arkwiki::fuzz {
namespace {

constexpr char kArchivePath[] = "/fuzz/input.zip";
// Caps well below the production defaults so one input cannot make the
// fuzzer inflate gigabytes; the guards under test are the same either way.
constexpr uint64_t kMaxEntryBytes = 8u << 20;
constexpr size_t kMaxManifestBytes = 1u << 20;

// The fuzz input as a file, without touching the disk.
class MemoryFile : public RandomAccessFile {
 public:
  explicit MemoryFile(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= bytes_.size()) return size_t{0};
    const size_t count = std::min<uint64_t>(n, bytes_.size() - offset);
    bytes_.copy(buf, count, offset);
    return count;
  }
  uint64_t Size() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

// Serves kArchivePath from memory; everything else goes to the real Env
// (nothing else is opened by the code under test).
class MemoryEnv : public EnvWrapper {
 public:
  explicit MemoryEnv(std::string_view bytes) : EnvWrapper(Env::Default()), bytes_(bytes) {}
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    if (p != kArchivePath) return Status::NotFound(p);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<MemoryFile>(bytes_));
  }

 private:
  std::string_view bytes_;
};

template <typename Limits>
void SetCanonical(Limits* limits, bool on) {
  // ZipLimits::require_canonical is being added alongside zip_canonical.h;
  // fuzz both modes once it exists, and the one mode until then.
  if constexpr (requires { limits->require_canonical; }) limits->require_canonical = on;
}

ZipLimits FuzzLimits(bool canonical) {
  ZipLimits limits;
  limits.max_archive_bytes = 64u << 20;
  limits.max_entries = 4096;
  limits.max_entry_bytes = kMaxEntryBytes;
  limits.max_total_bytes = 4 * kMaxEntryBytes;
  SetCanonical(&limits, canonical);
  return limits;
}

bool IsDuplicateRefusal(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument &&
         (s.message().find("appears more than once") != std::string::npos ||
          s.message().find("only by letter case") != std::string::npos);
}

// ZipStreamReader must judge the archive as ZipReader does in canonical
// mode, message included, except for duplicate names (left to its caller):
// where ZipReader refuses a duplicate, which it finds before any other
// defect, ZipStreamReader may accept the archive or refuse it for a defect
// further on. Then every entry of a walk is read, and the manifest, if any,
// checked against the entries in step.
void ReadArchiveStreamed(Env* env, const Status& held_verdict) {
  auto opened = ZipStreamReader::Open(env, kArchivePath, FuzzLimits(true));
  const bool same =
      IsDuplicateRefusal(held_verdict) ||
      (opened.ok() ? held_verdict.ok() : opened.status().ToString() == held_verdict.ToString());
  if (!same) {
    std::fprintf(stderr, "ZipStreamReader: %s\nZipReader: %s\n", opened.status().ToString().c_str(),
                 held_verdict.ToString().c_str());
    std::abort();
  }
  if (!opened.ok()) return;
  const ZipStreamReader& zip = **opened;
  ZipStreamReader::Walk walk = zip.NewWalk();
  std::string manifest_bytes;
  for (bool first = true;; first = false) {
    Result<std::optional<ZipEntry>> entry = walk.Next();
    if (!entry.ok() || !*entry) break;
    const bool is_manifest = first && (*entry)->name == kManifestPath;
    Status s = zip.ReadEntry(**entry, [&](std::string_view chunk) {
      if (is_manifest && manifest_bytes.size() < kMaxManifestBytes) manifest_bytes.append(chunk);
      return Status::Ok();
    });
    if (is_manifest && !s.ok()) manifest_bytes.clear();
  }
  if (manifest_bytes.empty()) return;
  auto manifest = ParseManifest(manifest_bytes);
  if (!manifest.ok()) return;
  (void)CheckEntrySet(zip, *manifest);  // the verdict does not matter, only that it is safe
}

void ReadArchive(Env* env, bool canonical) {
  auto opened = ZipReader::Open(env, kArchivePath, FuzzLimits(canonical));
  if (canonical) ReadArchiveStreamed(env, opened.status());
  if (!opened.ok()) return;
  const ZipReader& zip = **opened;
  for (const ZipEntry& entry : zip.entries()) {
    std::string sha;
    (void)zip.ReadEntry(
        entry, [](std::string_view) { return Status::Ok(); }, &sha);
  }
}

// Rewrites the manifest_sha256 value to the right checksum for `bytes`, so
// that mutated manifests reach ParseFields instead of stopping at the
// checksum. Leaves `bytes` alone when there is no 64-character value.
std::string WithValidChecksum(std::string bytes) {
  const std::string key = "\"manifest_sha256\"";
  size_t at = bytes.rfind(key);
  if (at == std::string::npos) return bytes;
  at = bytes.find('"', at + key.size());
  if (at == std::string::npos || bytes.size() - at < 66 || bytes[at + 65] != '"') return bytes;
  bytes.replace(at + 1, 64, std::string(64, '0'));
  bytes.replace(at + 1, 64, Sha256Hex(bytes));
  return bytes;
}

}  // namespace

void RunArchiveReaderInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  MemoryEnv env(bytes);
  ReadArchive(&env, /*canonical=*/false);
  ReadArchive(&env, /*canonical=*/true);
  CheckSplitArchive(bytes);
  if (size > kMaxManifestBytes) return;
  // The streamed reader must judge every text as the whole-text one does
  // (its status, message included: offsets count from the same start).
  for (const std::string& text : {std::string(bytes), WithValidChecksum(std::string(bytes))}) {
    const Result<Manifest> whole = ParseManifest(text);
    const Result<Manifest> streamed = ParseManifestFile(MemoryFile(text));
    if (whole.status().ToString() != streamed.status().ToString()) std::abort();
  }
}

}  // namespace arkwiki::fuzz
