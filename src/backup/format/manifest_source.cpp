// manifest.json written piece by piece (manifest_source.h). Written with
// manifest_json.h rather than through a Poco::JSON tree, which cost ~3 KB per
// listed file (see that header).
#include "format/manifest_source.h"

#include "arkwiki/core/hash.h"
#include "format/manifest_json.h"

namespace arkwiki {
namespace {

// A piece of the text holds file records up to about this many bytes.
constexpr size_t kManifestPieceBytes = 256 << 10;

// "<indent>"key": " then the value. The layout (one space per level, "key":
// value) is what Poco's Stringifier writes with indent 1, so every arkwiki
// manifest, of any version, has one layout.
void Key(std::string* out, std::string_view indent, std::string_view key) {
  out->append(indent);
  out->push_back('"');
  out->append(key);
  out->append("\": ");
}

void StringMember(std::string* out, std::string_view indent, std::string_view key,
                  std::string_view value, bool last = false) {
  Key(out, indent, key);
  manifest_json::AppendString(out, value);
  out->append(last ? "\n" : ",\n");
}

void IntMember(std::string* out, std::string_view indent, std::string_view key, uint64_t value,
               bool negative = false, bool last = false) {
  Key(out, indent, key);
  if (negative) out->push_back('-');
  out->append(std::to_string(value));
  out->append(last ? "\n" : ",\n");
}

void SignedMember(std::string* out, std::string_view indent, std::string_view key, int64_t value,
                  bool last = false) {
  const bool negative = value < 0;
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
  IntMember(out, indent, key, magnitude, negative, last);
}

// Everything before the first file record.
std::string Head(const Manifest& m) {
  std::string out;
  out.append("{\n");
  StringMember(&out, " ", "format", m.format);
  SignedMember(&out, " ", "format_version", m.format_version);
  StringMember(&out, " ", "app_version", m.app_version);
  SignedMember(&out, " ", "schema_version", m.schema_version);
  StringMember(&out, " ", "created_at", m.created_at);
  StringMember(&out, " ", "site_title", m.site_title);
  StringMember(&out, " ", "base_url", m.base_url);
  StringMember(&out, " ", "instance_id", m.instance_id);
  out.append(" \"counts\": {\n");
  SignedMember(&out, "  ", "pages", m.counts.pages);
  SignedMember(&out, "  ", "revisions", m.counts.revisions);
  SignedMember(&out, "  ", "users", m.counts.users);
  SignedMember(&out, "  ", "uploads", m.counts.uploads);
  SignedMember(&out, "  ", "bytes", m.counts.bytes, /*last=*/true);
  out.append(" },\n");
  if (m.partial()) {  // format version 2 (archive_format.h)
    out.append(" \"partial\": {\n  \"omits\": [");
    for (size_t i = 0; i < m.omits.size(); ++i) {
      if (i > 0) out.append(", ");
      manifest_json::AppendString(&out, m.omits[i]);
    }
    out.append("]\n },\n");
  }
  out.append(" \"files\": [\n");
  return out;
}

void AppendFile(std::string* out, const ManifestFile& f, bool last) {
  out->append("  {\n");
  StringMember(out, "   ", "path", f.path);
  IntMember(out, "   ", "size", f.size);
  StringMember(out, "   ", "sha256", f.sha256, /*last=*/true);
  out->append(last ? "  }\n" : "  },\n");
}

// Everything after the last file record; the checksum is computed over the
// text with 64 '0' in its place.
std::string Tail(std::string_view hash_hex) {
  std::string out = " ],\n \"manifest_sha256\": \"";
  out.append(hash_hex);
  out.append("\"\n}\n");
  return out;
}

}  // namespace

// First pass: the size, and the checksum over the text with zeros in its
// place (the checksum stands last, so nothing before it changes).
Result<std::unique_ptr<ManifestSource>> ManifestSource::Open(const Manifest& header,
                                                             const ManifestFileStore& files) {
  std::unique_ptr<ManifestSource> source(new ManifestSource(header, files));
  Sha256 sha;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece, source->NextPiece());
    if (piece.empty()) break;
    sha.Update(piece);
    source->size_ += piece.size();
  }
  source->tail_ = Tail(sha.FinishHex());
  source->Rewind();
  return source;
}

ManifestSource::ManifestSource(const Manifest& header, const ManifestFileStore& files)
    : files_(files),
      head_(Head(header)),
      tail_(Tail(std::string(manifest_json::kHashHexLen, '0'))) {
  Rewind();
}

void ManifestSource::Rewind() {
  stage_ = Stage::kHead;
  next_file_ = 0;
  cursor_.emplace(files_.Walk());
}

Result<std::string_view> ManifestSource::NextPiece() {
  switch (stage_) {
    case Stage::kHead:
      stage_ = files_.size() == 0 ? Stage::kTail : Stage::kFiles;
      return std::string_view(head_);
    case Stage::kFiles: {
      buffer_.clear();
      const size_t n = files_.size();
      while (next_file_ < n && buffer_.size() < kManifestPieceBytes) {
        ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor_->Next());
        if (f == nullptr) return Status::IoError("the manifest's file list ended early");
        AppendFile(&buffer_, f->Get(), next_file_ + 1 == n);
        ++next_file_;
      }
      if (next_file_ == n) stage_ = Stage::kTail;
      return std::string_view(buffer_);
    }
    case Stage::kTail:
      stage_ = Stage::kDone;
      return std::string_view(tail_);
    case Stage::kDone:
      break;
  }
  return std::string_view();
}

// The bytes must add up to size(): ZipWriter announced that size already.
Result<std::string_view> ManifestSource::Next() {
  ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece, NextPiece());
  delivered_ += piece.size();
  if (delivered_ > size_ || (piece.empty() && delivered_ != size_)) {
    return Status::Corruption("manifest.json changed while it was written");
  }
  return piece;
}

std::string SerializeManifest(const Manifest& m) {
  std::string out;
  // A list held in memory: the store cannot fail.
  (void)StreamManifest(m, [&](std::string_view piece) {
    out.append(piece);
    return Status::Ok();
  });
  return out;
}

Status StreamManifest(const Manifest& header, const ManifestFileStore& files,
                      const std::function<Status(std::string_view piece)>& write) {
  // The checksum covers the text with zeros in its place, and stands last:
  // hashing the pieces as they go, then the zeroed tail, gives it.
  Sha256 sha;
  std::string piece = Head(header);
  const size_t n = files.size();
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0; i < n; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) return Status::IoError("the manifest's file list ended early");
    AppendFile(&piece, f->Get(), i + 1 == n);
    if (piece.size() >= kManifestPieceBytes) {
      sha.Update(piece);
      ARKWIKI_RETURN_IF_ERROR(write(piece));
      piece.clear();
    }
  }
  sha.Update(piece);
  ARKWIKI_RETURN_IF_ERROR(write(piece));
  sha.Update(Tail(std::string(manifest_json::kHashHexLen, '0')));
  return write(Tail(sha.FinishHex()));
}

Status StreamManifest(const Manifest& m,
                      const std::function<Status(std::string_view piece)>& write) {
  return StreamManifest(m, ManifestFileStore::Of(m.files), write);
}

}  // namespace arkwiki
