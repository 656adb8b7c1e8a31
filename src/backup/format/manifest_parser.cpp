// Parsing manifest.json and checking its self-checksum (archive_format.h).
// Read in one pass with manifest_json.h rather than through a Poco::JSON
// tree, which cost ~3 KB per listed file (see that header).
#include "format/manifest_parser.h"

#include <algorithm>

#include "arkwiki/core/hash.h"
#include "format/manifest_json.h"

namespace arkwiki {
namespace {

using manifest_json::Reader;

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
  bool has_partial = false;
  std::vector<Scalar> omits;
  std::string partial_error;  // a malformed "partial", reported after the checksum
  Scalar pages, revisions, users, uploads, bytes;
  ManifestFiles files;
  ManifestFileStore* store = nullptr;  // when set, the files go here instead
  Status store_error;                  // the store's first, reported after the checksum
  std::string file_error;              // the first bad file entry, reported after the checksum
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
  if (!IsLowerHex(out->sha256, manifest_json::kHashHexLen))
    return "manifest.json: bad sha256 for " + out->path;
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
  if (!p->file_error.empty()) return Status::Ok();
  if (p->store != nullptr) {
    if (p->store_error.ok()) p->store_error = p->store->Add(file);  // else unusable
    return Status::Ok();
  }
  p->files.push_back(file);
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

// "partial": {"omits": [strings]} (archive_format.h). Any other shape or
// member is noted, not returned, so that the checksum is checked first.
Status ReadPartial(Reader& r, ParsedManifest* p) {
  p->has_partial = true;
  if (r.PeekKind() != '{') {
    p->partial_error = "manifest.json: 'partial' is not an object";
    return r.Skip();
  }
  bool has_omits = false;
  ARKWIKI_RETURN_IF_ERROR(r.Object([&](const std::string& key) -> Status {
    if (key != "omits" || r.PeekKind() != '[') {
      if (p->partial_error.empty())
        p->partial_error = "manifest.json: 'partial' has an unknown member '" + key.substr(0, 64) +
                           "' (or 'omits' is not a list)";
      return r.Skip();
    }
    has_omits = true;
    return r.Array([&](size_t) {
      if (p->omits.size() >= 16) {
        if (p->partial_error.empty()) p->partial_error = "manifest.json: 'omits' is too long";
        return r.Skip();
      }
      return ReadScalar(r, &p->omits.emplace_back());
    });
  }));
  if (!has_omits && p->partial_error.empty())
    p->partial_error = "manifest.json: 'partial' does not say what it omits";
  return Status::Ok();
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
    if (key == "partial") return ReadPartial(r, p);
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
  if (!IsLowerHex(claimed, manifest_json::kHashHexLen)) {
    return Status::Corruption("manifest.json: bad manifest_sha256");
  }
  const Scalar& s = p->manifest_sha256;
  if (s.raw_end - s.raw_begin != manifest_json::kHashHexLen) {  // written with escapes
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

// A version 2 manifest is partial and says what it omits: only "uploads",
// once; a version 1 manifest is never partial (archive_format.h).
Status CheckPartial(ParsedManifest* p, Manifest* m) {
  if (m->format_version < kPartialArchiveFormatVersion) {
    if (p->has_partial) {
      return Status::Corruption("manifest.json: a version " + std::to_string(m->format_version) +
                                " manifest cannot be partial (partial archives are version " +
                                std::to_string(kPartialArchiveFormatVersion) + ")");
    }
    return Status::Ok();
  }
  if (!p->has_partial) {
    return Status::Corruption("manifest.json: a version " + std::to_string(m->format_version) +
                              " manifest must say what the partial archive omits");
  }
  if (!p->partial_error.empty()) return Status::Corruption(p->partial_error);
  for (Scalar& part : p->omits) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, GetString(&part, "omits"));
    if (name != kPartUploads) {
      return Status::Corruption("manifest.json: the archive claims to omit '" + name.substr(0, 64) +
                                "', which is not a part a partial backup can leave out (only '" +
                                kPartUploads + "')");
    }
    if (!m->omits.empty()) return Status::Corruption("manifest.json: 'omits' names a part twice");
    m->omits.push_back(std::move(name));
  }
  if (m->omits.empty()) {
    return Status::Corruption("manifest.json: a partial archive that omits nothing");
  }
  return Status::Ok();
}

Status CheckFields(ParsedManifest* p, Manifest* m) {
  ARKWIKI_ASSIGN_OR_RETURN(m->format, GetString(&p->format, "format"));
  if (m->format != kArchiveFormatName) {
    return Status::Corruption("this is not an arkwiki backup (format '" + m->format + "')");
  }
  ARKWIKI_ASSIGN_OR_RETURN(int64_t version, GetInt(p->format_version, "format_version"));
  if (version > kPartialArchiveFormatVersion) {
    return Status::Unsupported("the backup uses format version " + std::to_string(version) +
                               ", but this arkwiki reads format versions up to " +
                               std::to_string(kPartialArchiveFormatVersion) +
                               "; upgrade arkwiki first");
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
  ARKWIKI_RETURN_IF_ERROR(CheckPartial(p, m));
  if (!p->has_files) return Status::Corruption("manifest.json: 'files' is missing");
  if (!p->file_error.empty()) return Status::Corruption(p->file_error);
  m->files = std::move(p->files);
  return Status::Ok();
}

}  // namespace

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

namespace {

Result<Manifest> ParseFile(const RandomAccessFile& file, ParsedManifest* parsed) {
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
  Reader r{manifest_json::TextSource(reader_from_start())};
  Status s = ReadManifestJson(r, parsed);
  ARKWIKI_RETURN_IF_ERROR(r.source_error());  // the real cause of a cut-off text
  ARKWIKI_RETURN_IF_ERROR(s);
  if (parsed->store != nullptr && parsed->store_error.ok()) {
    parsed->store_error = parsed->store->Finish();
  }
  // What is wrong with the manifest itself (a text its checksum does not
  // name, a newer format, a bad field) is the archive's fault and is said
  // first, whatever became of the scratch file (the machine's fault).
  ARKWIKI_RETURN_IF_ERROR(CheckChecksum(reader_from_start(), parsed));
  Manifest m;
  ARKWIKI_RETURN_IF_ERROR(CheckFields(parsed, &m));
  ARKWIKI_RETURN_IF_ERROR(parsed->store_error);
  return m;
}

}  // namespace

Result<Manifest> ParseManifestFile(const RandomAccessFile& file, size_t files_hint) {
  ParsedManifest parsed;
  parsed.files.reserve(files_hint);
  return ParseFile(file, &parsed);
}

Result<Manifest> ParseManifestFile(const RandomAccessFile& file, ManifestFileStore* files) {
  ParsedManifest parsed;
  parsed.store = files;
  return ParseFile(file, &parsed);
}

}  // namespace arkwiki
