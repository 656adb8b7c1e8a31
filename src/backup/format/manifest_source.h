// ManifestSource: manifest.json produced piece by piece, for ZipWriter
// (private to the backup layer).
//
// Why: as one string the manifest of a 50,000-file backup is ~15 MB, the
// largest thing in a create's memory after the file list itself, and it
// grows with the file count (benchmarks/README.md). The checksum field
// stands last, so a first pass over the same pieces gives the size and the
// checksum without keeping the text; the second pass is what the archive
// gets. StreamManifest (and SerializeManifest, which collects it) writes
// the same bytes in one pass. The list is read from a ManifestFileStore, so
// that a list spilled to scratch is never held whole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arkwiki/backup/archive_format.h"
#include "format/manifest_file_store.h"
#include "zip/zip_source.h"

namespace arkwiki {

class ManifestSource final : public zip::BlockSource {
 public:
  // The text of `header` (every field but its files) listing `files`,
  // measured by a first pass: the store's error when its scratch file
  // cannot be read. Neither argument is copied; both must outlive the
  // source.
  static Result<std::unique_ptr<ManifestSource>> Open(const Manifest& header,
                                                      const ManifestFileStore& files);

  uint64_t size() const override { return size_; }
  Result<std::string_view> Next() override;

 private:
  enum class Stage { kHead, kFiles, kTail, kDone };

  ManifestSource(const Manifest& header, const ManifestFileStore& files);
  void Rewind();
  // The next piece (a view into this source, valid until the next call);
  // empty at the end.
  Result<std::string_view> NextPiece();

  const ManifestFileStore& files_;
  std::optional<ManifestFileStore::Cursor> cursor_;
  std::string head_;
  std::string tail_;
  std::string buffer_;  // the file records of the current piece
  uint64_t size_ = 0;
  uint64_t delivered_ = 0;  // by Next()
  Stage stage_ = Stage::kHead;
  size_t next_file_ = 0;
};

// The whole of manifest.json, checksum filled in: StreamManifest collected.
std::string SerializeManifest(const Manifest& manifest);

// The same bytes as a ManifestSource, in one pass, to `write` piece by
// piece: for a writer that needs no size up front (a restore point's
// manifest file), so the text is built once rather than twice. Stops at
// the first error `write` or the store returns.
Status StreamManifest(const Manifest& header, const ManifestFileStore& files,
                      const std::function<Status(std::string_view piece)>& write);
// As above, listing manifest.files.
Status StreamManifest(const Manifest& manifest,
                      const std::function<Status(std::string_view piece)>& write);

}  // namespace arkwiki
