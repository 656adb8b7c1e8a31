// manifest.json: writing, parsing and its self-checksum (see archive_format.h).
// Written and read in one pass with manifest_json.h rather than through a
// Poco::JSON tree, which cost ~3 KB per listed file (see that header).
#include <algorithm>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"
#include "backup/manifest_json.h"
#include "backup/manifest_source.h"

namespace arkwiki {
namespace {

using manifest_json::Reader;

constexpr size_t kHashHexLen = 64;

// "<indent>"key": " then the value. The layout (one space per level, "key":
// value) is what Poco's Stringifier wrote with indent 1, so manifests look
// the same as those in archives made before this writer.
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
  out.append(" },\n \"files\": [\n");
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

// A member's value as it came. Parsing checks only the JSON syntax; types and
// ranges are checked after the checksum, so that a damaged manifest is
// reported as damaged (as before) rather than by its first odd field.
struct Scalar {
  enum class Kind { kMissing, kString, kInteger, kOther } kind = Kind::kMissing;
  std::string text;
  int64_t number = 0;
  size_t raw_begin = 0, raw_end = 0;  // a string's bytes in the text
};

Status ReadScalar(Reader& r, Scalar* out) {
  switch (r.PeekKind()) {
    case '"':
      out->kind = Scalar::Kind::kString;
      return r.String(&out->text, &out->raw_begin, &out->raw_end);
    case 'n': {
      bool integer = false;
      ARKWIKI_RETURN_IF_ERROR(r.Number(&integer, &out->number));
      out->kind = integer ? Scalar::Kind::kInteger : Scalar::Kind::kOther;
      return Status::Ok();
    }
    default:
      out->kind = Scalar::Kind::kOther;
      return r.Skip();
  }
}

Result<std::string> GetString(Scalar* v, const std::string& key) {
  if (v->kind != Scalar::Kind::kString) {
    return Status::Corruption("manifest.json: '" + key + "' is missing or not a string");
  }
  return std::move(v->text);
}

Result<int64_t> GetInt(const Scalar& v, const std::string& key) {
  if (v.kind != Scalar::Kind::kInteger) {
    return Status::Corruption("manifest.json: '" + key + "' is missing or not an integer");
  }
  if (v.number < 0) return Status::Corruption("manifest.json: '" + key + "' is negative");
  return v.number;
}

struct ParsedManifest {
  Scalar format, format_version, app_version, schema_version, created_at, site_title, base_url,
      instance_id, manifest_sha256;
  bool has_counts = false, has_files = false;
  Scalar pages, revisions, users, uploads, bytes;
  ManifestFiles files;
  std::string file_error;  // the first bad file entry, reported after the checksum
};

Scalar* TopScalar(ParsedManifest* p, const std::string& key) {
  if (key == "format") return &p->format;
  if (key == "format_version") return &p->format_version;
  if (key == "app_version") return &p->app_version;
  if (key == "schema_version") return &p->schema_version;
  if (key == "created_at") return &p->created_at;
  if (key == "site_title") return &p->site_title;
  if (key == "base_url") return &p->base_url;
  if (key == "instance_id") return &p->instance_id;
  if (key == "manifest_sha256") return &p->manifest_sha256;
  return nullptr;
}

Scalar* CountScalar(ParsedManifest* p, const std::string& key) {
  if (key == "pages") return &p->pages;
  if (key == "revisions") return &p->revisions;
  if (key == "users") return &p->users;
  if (key == "uploads") return &p->uploads;
  if (key == "bytes") return &p->bytes;
  return nullptr;
}

// Checks one parsed file entry; the message of the first problem, or "".
std::string CheckFile(Scalar* path, const Scalar& size, Scalar* sha, ManifestFile* out) {
  auto p = GetString(path, "path");
  if (!p.ok()) return p.status().message();
  out->path = std::move(p).value();
  auto n = GetInt(size, "size");
  if (!n.ok()) return n.status().message();
  out->size = static_cast<uint64_t>(*n);
  auto h = GetString(sha, "sha256");
  if (!h.ok()) return h.status().message();
  out->sha256 = std::move(h).value();
  if (!IsLowerHex(out->sha256, kHashHexLen)) return "manifest.json: bad sha256 for " + out->path;
  return "";
}

Status ReadFileEntry(Reader& r, size_t index, ParsedManifest* p) {
  if (r.PeekKind() != '{') {
    if (p->file_error.empty())
      p->file_error = "manifest.json: files[" + std::to_string(index) + "]";
    return r.Skip();
  }
  Scalar path, size, sha;
  ARKWIKI_RETURN_IF_ERROR(r.Object([&](const std::string& key) -> Status {
    if (key == "path") return ReadScalar(r, &path);
    if (key == "size") return ReadScalar(r, &size);
    if (key == "sha256") return ReadScalar(r, &sha);
    return r.Skip();
  }));
  if (!p->file_error.empty()) return Status::Ok();  // already refused; syntax only
  ManifestFile file;
  p->file_error = CheckFile(&path, size, &sha, &file);
  if (p->file_error.empty()) p->files.push_back(file);
  return Status::Ok();
}

// How many file entries `bytes` seems to hold, to size the vector once
// instead of doubling it (which briefly holds both copies).
size_t CountFileKeys(std::string_view bytes) {
  size_t n = 0;
  for (size_t at = bytes.find("\"sha256\""); at != std::string_view::npos;
       at = bytes.find("\"sha256\"", at + 8)) {
    ++n;
  }
  return n;
}

Status ReadManifestJson(Reader& r, ParsedManifest* p) {
  if (r.PeekKind() != '{') return Status::Corruption("manifest.json is not an object");
  ARKWIKI_RETURN_IF_ERROR(r.Object([&](const std::string& key) -> Status {
    if (Scalar* s = TopScalar(p, key)) return ReadScalar(r, s);
    if (key == "counts" && r.PeekKind() == '{') {
      p->has_counts = true;
      return r.Object([&](const std::string& k) -> Status {
        Scalar* c = CountScalar(p, k);
        return c != nullptr ? ReadScalar(r, c) : r.Skip();
      });
    }
    if (key == "files" && r.PeekKind() == '[') {
      p->has_files = true;
      return r.Array([&](size_t i) { return ReadFileEntry(r, i, p); });
    }
    return r.Skip();
  }));
  return r.End();
}

// The checksum covers the bytes with its own 64 hex digits replaced by '0's.
// `text` reads the manifest from its start again, in pieces.
Status CheckChecksum(const manifest_json::TextSource& text, ParsedManifest* p) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string claimed, GetString(&p->manifest_sha256, "manifest_sha256"));
  if (!IsLowerHex(claimed, kHashHexLen)) {
    return Status::Corruption("manifest.json: bad manifest_sha256");
  }
  const Scalar& s = p->manifest_sha256;
  if (s.raw_end - s.raw_begin != kHashHexLen) {  // written with escapes
    return Status::Corruption("manifest.json: checksum not found");
  }
  Sha256 h;
  std::string piece;
  for (uint64_t at = 0;;) {
    piece.clear();
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, text(size_t{1} << 20, &piece));
    if (n == 0) break;
    const uint64_t from = std::max<uint64_t>(s.raw_begin, at);
    const uint64_t to = std::min<uint64_t>(s.raw_end, at + n);
    if (from < to) piece.replace(from - at, to - from, to - from, '0');
    h.Update(piece);
    at += n;
  }
  if (h.FinishHex() != claimed) {
    return Status::Corruption(
        "manifest.json does not match its checksum: it was altered or "
        "damaged");
  }
  return Status::Ok();
}

Status CheckFields(ParsedManifest* p, Manifest* m) {
  ARKWIKI_ASSIGN_OR_RETURN(m->format, GetString(&p->format, "format"));
  if (m->format != kArchiveFormatName) {
    return Status::Corruption("this is not an arkwiki backup (format '" + m->format + "')");
  }
  ARKWIKI_ASSIGN_OR_RETURN(int64_t version, GetInt(p->format_version, "format_version"));
  if (version > kArchiveFormatVersion) {
    return Status::Unsupported("the backup uses format version " + std::to_string(version) +
                               ", but this arkwiki reads format versions up to " +
                               std::to_string(kArchiveFormatVersion) + "; upgrade arkwiki first");
  }
  if (version < 1) return Status::Corruption("manifest.json: format_version must be >= 1");
  m->format_version = static_cast<int>(version);
  ARKWIKI_ASSIGN_OR_RETURN(m->app_version, GetString(&p->app_version, "app_version"));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t schema, GetInt(p->schema_version, "schema_version"));
  m->schema_version = static_cast<int>(schema);
  ARKWIKI_ASSIGN_OR_RETURN(m->created_at, GetString(&p->created_at, "created_at"));
  ARKWIKI_ASSIGN_OR_RETURN(m->site_title, GetString(&p->site_title, "site_title"));
  ARKWIKI_ASSIGN_OR_RETURN(m->base_url, GetString(&p->base_url, "base_url"));
  ARKWIKI_ASSIGN_OR_RETURN(m->instance_id, GetString(&p->instance_id, "instance_id"));
  if (!p->has_counts) return Status::Corruption("manifest.json: 'counts' is missing");
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.pages, GetInt(p->pages, "pages"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.revisions, GetInt(p->revisions, "revisions"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.users, GetInt(p->users, "users"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.uploads, GetInt(p->uploads, "uploads"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.bytes, GetInt(p->bytes, "bytes"));
  if (!p->has_files) return Status::Corruption("manifest.json: 'files' is missing");
  if (!p->file_error.empty()) return Status::Corruption(p->file_error);
  m->files = std::move(p->files);
  return Status::Ok();
}

}  // namespace

// First pass: the size, and the checksum over the text with zeros in its
// place (the checksum stands last, so nothing before it changes).
ManifestSource::ManifestSource(const Manifest& m)
    : manifest_(m), head_(Head(m)), tail_(Tail(std::string(kHashHexLen, '0'))) {
  Sha256 sha;
  for (;;) {
    std::string_view piece = NextPiece();
    if (piece.empty()) break;
    sha.Update(piece);
    size_ += piece.size();
  }
  tail_ = Tail(sha.FinishHex());
  Rewind();
}

void ManifestSource::Rewind() {
  stage_ = Stage::kHead;
  next_file_ = 0;
}

std::string_view ManifestSource::NextPiece() {
  switch (stage_) {
    case Stage::kHead:
      stage_ = manifest_.files.empty() ? Stage::kTail : Stage::kFiles;
      return head_;
    case Stage::kFiles: {
      buffer_.clear();
      const size_t n = manifest_.files.size();
      while (next_file_ < n && buffer_.size() < kPieceBytes) {
        AppendFile(&buffer_, manifest_.files[next_file_], next_file_ + 1 == n);
        ++next_file_;
      }
      if (next_file_ == n) stage_ = Stage::kTail;
      return buffer_;
    }
    case Stage::kTail:
      stage_ = Stage::kDone;
      return tail_;
    case Stage::kDone:
      break;
  }
  return {};
}

// The bytes must add up to size(): ZipWriter announced that size already.
Result<std::string_view> ManifestSource::Next() {
  std::string_view piece = NextPiece();
  delivered_ += piece.size();
  if (delivered_ > size_ || (piece.empty() && delivered_ != size_)) {
    return Status::Corruption("manifest.json changed while it was written");
  }
  return piece;
}

std::string SerializeManifest(const Manifest& m) {
  ManifestSource source(m);
  std::string out;
  out.reserve(source.size());
  for (std::string_view piece = source.NextPiece(); !piece.empty(); piece = source.NextPiece()) {
    out.append(piece);
  }
  return out;
}

Result<Manifest> ParseManifest(const std::string& bytes) {
  ParsedManifest parsed;
  parsed.files.reserve(CountFileKeys(bytes));
  Reader r{std::string_view(bytes)};
  ARKWIKI_RETURN_IF_ERROR(ReadManifestJson(r, &parsed));
  size_t at = 0;
  ARKWIKI_RETURN_IF_ERROR(CheckChecksum(
      [&](size_t max, std::string* out) -> Result<size_t> {
        const size_t n = std::min(max, bytes.size() - at);
        out->append(bytes, at, n);
        at += n;
        return n;
      },
      &parsed));
  Manifest m;
  ARKWIKI_RETURN_IF_ERROR(CheckFields(&parsed, &m));
  return m;
}

Result<Manifest> ParseManifestFile(const RandomAccessFile& file, size_t files_hint) {
  auto reader_from_start = [&file] {
    return [&file, at = uint64_t{0}](size_t max, std::string* out) mutable -> Result<size_t> {
      // Never more than is left: the window is not grown (and zeroed) past
      // the text, which for a small manifest is most of its cost.
      max = static_cast<size_t>(std::min<uint64_t>(max, file.Size() - std::min(at, file.Size())));
      const size_t old = out->size();
      out->resize(old + max);
      Result<size_t> n = file.ReadAt(at, out->data() + old, max);
      out->resize(old + (n.ok() ? *n : 0));
      if (n.ok()) at += *n;
      return n;
    };
  };
  ParsedManifest parsed;
  parsed.files.reserve(files_hint);
  Reader r{manifest_json::TextSource(reader_from_start())};
  Status s = ReadManifestJson(r, &parsed);
  ARKWIKI_RETURN_IF_ERROR(r.source_error());  // the real cause of a cut-off text
  ARKWIKI_RETURN_IF_ERROR(s);
  ARKWIKI_RETURN_IF_ERROR(CheckChecksum(reader_from_start(), &parsed));
  Manifest m;
  ARKWIKI_RETURN_IF_ERROR(CheckFields(&parsed, &m));
  return m;
}

std::string UploadEntryPath(const std::string& sha256) {
  return std::string(kUploadsPrefix) + sha256.substr(0, 2) + "/" + sha256;
}

std::string_view UploadEntryHash(std::string_view path) {
  constexpr std::string_view prefix = kUploadsPrefix;
  if (path.size() != prefix.size() + 3 + 64 || path.substr(0, prefix.size()) != prefix) {
    return {};
  }
  const std::string_view shard = path.substr(prefix.size(), 2);
  const std::string_view hash = path.substr(prefix.size() + 3);
  if (path[prefix.size() + 2] != '/' || !IsLowerHex(hash, 64) || hash.substr(0, 2) != shard) {
    return {};
  }
  return hash;
}

}  // namespace arkwiki
