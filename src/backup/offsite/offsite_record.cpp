#include "offsite/offsite_record.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "format/manifest_parser.h"
#include "repository/repo_layout.h"

namespace arkwiki {
namespace {

constexpr char kRecordFormat[] = "arkwiki-offsite-record";
// 1: loose objects only; 2: a pack index follows the header line.
constexpr int kRecordFormatVersion = 2;
// A pack index or a manifest is written on in blocks of this size.
constexpr size_t kTextBlockBytes = size_t{64} << 10;

Status BadRecord(const std::string& id, const std::string& why) {
  return Status::Corruption("the off-site record of restore point " + id + " is refused: " + why);
}

}  // namespace

std::string ObjectKey(const std::string& name) {
  return std::string(kObjectsPrefix) + name.substr(0, 2) + "/" + name;
}

std::string RecordKey(const std::string& id) { return std::string(kRecordsPrefix) + id; }

std::string PackKey(const std::string& pack) { return std::string(kPacksPrefix) + pack; }

Result<std::string> FileObjectName(const OffsiteKey& key, const ManifestFileStore::File& file) {
  if (file.upload_hash != nullptr) return key.ObjectName(*file.upload_hash);
  Sha256Raw raw{};
  if (file.other == nullptr || !ParseSha256Hex(file.other->sha256, &raw)) {
    return Status::Corruption("the manifest gives " + file.Get().path + " no valid SHA-256");
  }
  return key.ObjectName(raw);
}

namespace {

// The record's first line: its JSON header, for a pack index of
// `index_bytes` (OffsitePackIndexWriter::TextSize).
std::string RecordHeaderLine(const OffsiteRecord& record, bool any_packed, uint64_t index_bytes) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("format", std::string(kRecordFormat));
  o->set("repository_id", record.repository_id);
  o->set("id", record.id);
  o->set("restore_point", record.point_json);
  // A record without packed files stays version 1, which any arkwiki reads.
  if (any_packed) {
    o->set("format_version", kRecordFormatVersion);
    o->set("packed_bytes", static_cast<Poco::UInt64>(index_bytes));
  } else {
    o->set("format_version", 1);
  }
  std::ostringstream line;
  Poco::JSON::Stringifier::stringify(o, line);  // one line: no indent
  return line.str() + "\n";
}

}  // namespace

uint64_t RecordPlaintextSize(const OffsiteRecord& record, const OffsitePackIndexWriter& packed,
                             uint64_t index_bytes, uint64_t manifest_bytes) {
  return RecordHeaderLine(record, !packed.empty(), index_bytes).size() + index_bytes +
         manifest_bytes;
}

Status WriteRecordPlaintext(const OffsiteRecord& record, const OffsitePackIndexWriter& packed,
                            uint64_t index_bytes, const RandomAccessFile* manifest, ByteSink* out) {
  ARKWIKI_RETURN_IF_ERROR(out->Write(RecordHeaderLine(record, !packed.empty(), index_bytes)));
  ARKWIKI_RETURN_IF_ERROR(packed.WriteText(out));
  if (manifest == nullptr) return out->Write(record.manifest_text);
  std::string block(kTextBlockBytes, '\0');
  for (uint64_t at = 0; at < manifest->Size();) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, manifest->ReadAt(at, block.data(), block.size()));
    if (n == 0) {
      return Status::IoError("the restore point's manifest ended at byte " + std::to_string(at) +
                             " of " + std::to_string(manifest->Size()));
    }
    ARKWIKI_RETURN_IF_ERROR(out->Write(std::string_view(block.data(), n)));
    at += n;
  }
  return Status::Ok();
}

Result<std::string> RecordPlaintext(const OffsiteRecord& record,
                                    const OffsitePackIndexWriter& packed) {
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t index_bytes, packed.TextSize());
  StringByteSink text;
  ARKWIKI_RETURN_IF_ERROR(WriteRecordPlaintext(record, packed, index_bytes, nullptr, &text));
  return text.data();
}

namespace {

// The header line: the bytes up to the first newline, which must come
// within kMaxHeaderBytes (it holds restore-point.json, at most 1 MiB).
constexpr uint64_t kMaxHeaderBytes = (uint64_t{1} << 20) * 2;

Result<std::string> ReadHeaderLine(const RandomAccessFile& plain, const std::string& id) {
  std::string line;
  std::string block(kTextBlockBytes, '\0');
  for (uint64_t at = 0;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, plain.ReadAt(at, block.data(), block.size()));
    if (n == 0) return BadRecord(id, "it has no header line");
    const std::string_view chunk(block.data(), n);
    const size_t eol = chunk.find('\n');
    line.append(chunk.substr(0, eol));
    if (eol != std::string_view::npos) return line;
    at += n;
    if (at > kMaxHeaderBytes) return BadRecord(id, "its header line is too long");
  }
}

Status ParseHeader(const std::string& line, const std::string& id, OffsiteRecord* r,
                   uint64_t* packed_bytes) {
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    if (!o || o->getValue<std::string>("format") != kRecordFormat) {
      return BadRecord(id, "not an arkwiki record");
    }
    const int version = o->getValue<int>("format_version");
    if (version > kRecordFormatVersion) {
      return Status::Unsupported("the off-site record of restore point " + id +
                                 " has a newer format than this arkwiki reads");
    }
    r->repository_id = o->getValue<std::string>("repository_id");
    r->id = o->getValue<std::string>("id");
    r->point_json = o->getValue<std::string>("restore_point");
    *packed_bytes = version >= 2 ? o->getValue<Poco::UInt64>("packed_bytes") : 0;
  } catch (const Poco::Exception& e) {
    return BadRecord(id, e.displayText());
  } catch (const std::exception& e) {
    return BadRecord(id, e.what());
  }
  return Status::Ok();
}

}  // namespace

OffsiteScratch OffsiteScratch::Default() {
  OffsiteScratch scratch;
  scratch.env = Env::Default();
  scratch.dir = TempDir();
  return scratch;
}

Result<UnnamedFile> CreateScratchFile(const OffsiteScratch& scratch, const std::string& prefix) {
  const std::string path = JoinPath(scratch.dir, prefix + RandomHex(8));
  bool left_named = false;
  Result<UnnamedFile> file = CreateUnnamedFile(scratch.env, path, &left_named);
  if (!file.ok() && left_named) {
    (void)scratch.env->RemoveFile(path);  // best effort; the failure matters more
  }
  return file;
}

ManifestFileStore NewFileStore(const OffsiteScratch& scratch) {
  return ManifestFileStore::InDir(scratch.env, scratch.dir, scratch.files_held);
}

Result<ReadBackRecord> ReadRecord(OffsiteTarget* target, const OffsiteKey& key,
                                  const std::string& id, const OffsiteScratch& scratch,
                                  bool with_index) {
  if (!IsSnapshotId(id)) return Status::InvalidArgument("not a restore point id: '" + id + "'");
  Result<uint64_t> size = target->Stat(RecordKey(id));
  if (size.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no restore point " + id + " on " + target->Describe());
  }
  ARKWIKI_RETURN_IF_ERROR(size.status());
  if (*size > kMaxRecordBytes) return BadRecord(id, "it is " + std::to_string(*size) + " bytes");
  ARKWIKI_ASSIGN_OR_RETURN(UnnamedFile unnamed, CreateScratchFile(scratch, "arkwiki-record-"));
  const std::shared_ptr<const RandomAccessFile> plain = std::move(unnamed.in);
  // The reader was opened before the first byte was written: the size is
  // the writer's count, not the reader's.
  uint64_t total = 0;
  {
    FileByteSink sink(std::move(unnamed.out));
    DecryptingSink decrypt(key, RecordKey(id), &sink);
    // Stat's answer comes from the target too: Get holds it to that size
    // (to the cap when a server gave no size, which no record has).
    const uint64_t max_bytes = *size > 0 ? *size : kMaxRecordBytes;
    ARKWIKI_RETURN_IF_ERROR(target->Get(RecordKey(id), max_bytes, &decrypt));
    ARKWIKI_RETURN_IF_ERROR(decrypt.Finish());
    ARKWIKI_RETURN_IF_ERROR(sink.Close().WithContext("writing a scratch file"));
    total = sink.bytes_written();
  }
  ReadBackRecord read;
  OffsiteRecord& r = read.record;
  ARKWIKI_ASSIGN_OR_RETURN(std::string header, ReadHeaderLine(FileWindow(plain, 0, total), id));
  uint64_t packed_bytes = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseHeader(header, id, &r, &packed_bytes));
  const uint64_t index_at = header.size() + 1;
  if (packed_bytes > total - index_at) return BadRecord(id, "its pack index is cut short");
  if (with_index) {
    ARKWIKI_ASSIGN_OR_RETURN(read.packed,
                             OffsitePackIndex::Read(*plain, index_at, packed_bytes, id));
  }
  const uint64_t manifest_at = index_at + packed_bytes;
  read.manifest = std::make_unique<FileWindow>(plain, manifest_at, total - manifest_at);
  // The encryption already binds both; a mismatch here is a bug or a forgery
  // with the key, and is refused all the same.
  if (r.id != id || r.repository_id != key.repository_id()) {
    return BadRecord(id, "it names restore point " + r.id + " of repository " + r.repository_id);
  }
  return read;
}

Result<Manifest> ParseRecordManifest(const ReadBackRecord& read, ManifestFileStore* files) {
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest, ParseManifestFile(*read.manifest, files));
  // Beside uploads named by their hash a backup holds the database and the
  // settings; a list of more such files would hand out wrong names.
  if (files->others_dropped()) {
    return BadRecord(read.record.id, "its manifest lists files that have no place in a backup");
  }
  return manifest;
}

Result<std::vector<std::string>> ListRecordIds(OffsiteTarget* target) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> objects, target->List(kRecordsPrefix));
  std::vector<std::string> ids;
  for (const OffsiteObject& o : objects) {
    // The target's listing is not trusted to honour the prefix.
    if (o.key.rfind(kRecordsPrefix, 0) != 0) continue;
    const std::string id = o.key.substr(std::strlen(kRecordsPrefix));
    if (IsSnapshotId(id)) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::map<std::string, uint64_t>> ListSizes(OffsiteTarget* target,
                                                  const std::string& prefix) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> objects, target->List(prefix));
  std::map<std::string, uint64_t> sizes;
  for (const OffsiteObject& o : objects) sizes[BaseName(o.key)] = o.size;
  return sizes;
}

Result<size_t> StringFile::ReadAt(uint64_t offset, char* buf, size_t n) const {
  if (offset >= data_.size()) return size_t{0};
  const size_t count = std::min<uint64_t>(n, data_.size() - offset);
  std::memcpy(buf, data_.data() + offset, count);
  return count;
}

}  // namespace arkwiki
