#include "offsite/offsite_record.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sstream>

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

Result<OffsiteRecord> ParseRecord(const std::string& plain, const std::string& id) {
  const size_t eol = plain.find('\n');
  if (eol == std::string::npos) return BadRecord(id, "it has no header line");
  OffsiteRecord r;
  uint64_t packed_bytes = 0;
  try {
    Poco::JSON::Parser parser;
    auto o = parser.parse(plain.substr(0, eol)).extract<Poco::JSON::Object::Ptr>();
    if (!o || o->getValue<std::string>("format") != kRecordFormat) {
      return BadRecord(id, "not an arkwiki record");
    }
    const int version = o->getValue<int>("format_version");
    if (version > kRecordFormatVersion) {
      return Status::Unsupported("the off-site record of restore point " + id +
                                 " has a newer format than this arkwiki reads");
    }
    r.repository_id = o->getValue<std::string>("repository_id");
    r.id = o->getValue<std::string>("id");
    r.point_json = o->getValue<std::string>("restore_point");
    if (version >= 2) packed_bytes = o->getValue<Poco::UInt64>("packed_bytes");
  } catch (const Poco::Exception& e) {
    return BadRecord(id, e.displayText());
  } catch (const std::exception& e) {
    return BadRecord(id, e.what());
  }
  if (packed_bytes > plain.size() - eol - 1) return BadRecord(id, "its pack index is cut short");
  ARKWIKI_ASSIGN_OR_RETURN(
      r.packed, OffsitePackIndex::Parse(std::string_view(plain).substr(eol + 1, packed_bytes), id));
  r.manifest_text = plain.substr(eol + 1 + packed_bytes);
  return r;
}

}  // namespace

std::string ObjectKey(const std::string& name) {
  return std::string(kObjectsPrefix) + name.substr(0, 2) + "/" + name;
}

std::string RecordKey(const std::string& id) { return std::string(kRecordsPrefix) + id; }

std::string PackKey(const std::string& pack) { return std::string(kPacksPrefix) + pack; }

void OffsitePackIndex::Add(const std::string& name, const std::string& pack, uint64_t offset) {
  Sha256Raw raw{};
  ParseSha256Hex(name, &raw);
  AddRaw(raw, pack, offset);
}

void OffsitePackIndex::AddRaw(const Sha256Raw& name, const std::string& pack, uint64_t offset) {
  auto [it, added] = pack_numbers_.try_emplace(pack, static_cast<uint32_t>(packs_.size()));
  if (added) packs_.push_back(pack);
  entries_[name] = {it->second, offset};
}

std::optional<OffsitePackIndex::Location> OffsitePackIndex::Find(const std::string& name) const {
  Sha256Raw raw{};
  if (!ParseSha256Hex(name, &raw)) return std::nullopt;
  auto it = entries_.find(raw);
  if (it == entries_.end()) return std::nullopt;
  return Location{packs_[it->second.first], it->second.second};
}

void OffsitePackIndex::Merge(const OffsitePackIndex& other) {
  for (const auto& [raw, where] : other.entries_) {
    AddRaw(raw, other.packs_[where.first], where.second);
  }
}

std::vector<std::string> OffsitePackIndex::Packs() const {
  std::vector<std::string> packs;
  for (const auto& [pack, number] : pack_numbers_) packs.push_back(pack);
  return packs;
}

uint64_t OffsitePackIndex::TextSize() const {
  uint64_t size = 0;
  for (const auto& [raw, where] : entries_) {
    size += raw.size() * 2 + 1 + packs_[where.first].size() + 1 +
            std::to_string(where.second).size() + 1;
  }
  return size;
}

Status OffsitePackIndex::WriteText(ByteSink* out) const {
  std::string text;
  for (const auto& [raw, where] : entries_) {
    text += HexEncode(raw.data(), raw.size());
    text += ' ';
    text += packs_[where.first];
    text += ' ';
    text += std::to_string(where.second);
    text += '\n';
    if (text.size() >= kTextBlockBytes) {
      ARKWIKI_RETURN_IF_ERROR(out->Write(text));
      text.clear();
    }
  }
  return out->Write(text);
}

std::string OffsitePackIndex::Text() const {
  StringByteSink text;
  (void)WriteText(&text);  // a StringByteSink takes every write
  return text.data();
}

Result<OffsitePackIndex> OffsitePackIndex::Parse(std::string_view text, const std::string& id) {
  OffsitePackIndex index;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return BadRecord(id, "its pack index has no last newline");
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    const std::string where = "line " + std::to_string(line_number) + " of its pack index";
    if (line.size() < 64 + 1 + 32 + 2 || line[64] != ' ' || line[97] != ' ') {
      return BadRecord(id, where + " is not \"<name> <pack> <offset>\"");
    }
    const std::string_view name = line.substr(0, 64);
    const std::string_view pack = line.substr(65, 32);
    const std::string_view digits = line.substr(98);
    uint64_t offset = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
    if (!IsLowerHex(name, 64) || !IsLowerHex(pack, 32) || ec != std::errc() ||
        end != digits.data() + digits.size() || (digits.size() > 1 && digits[0] == '0')) {
      return BadRecord(id, where + " is not \"<name> <pack> <offset>\"");
    }
    const std::string name_text(name);
    if (index.Find(name_text)) return BadRecord(id, where + " names an object twice");
    index.Add(name_text, std::string(pack), offset);
  }
  return index;
}

Result<std::string> FileObjectName(const OffsiteKey& key, const ManifestFiles& files, size_t i) {
  if (const Sha256Raw* raw = files.UploadHashAt(i)) return key.ObjectName(*raw);
  const ManifestFile file = files[i];
  Sha256Raw raw{};
  if (!ParseSha256Hex(file.sha256, &raw)) {
    return Status::Corruption("the manifest gives " + file.path + " no valid SHA-256");
  }
  return key.ObjectName(raw);
}

namespace {

// The record's first line: its JSON header, for a pack index of
// `index_bytes` (OffsitePackIndex::TextSize).
std::string RecordHeaderLine(const OffsiteRecord& record, uint64_t index_bytes) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("format", std::string(kRecordFormat));
  o->set("repository_id", record.repository_id);
  o->set("id", record.id);
  o->set("restore_point", record.point_json);
  // A record without packed files stays version 1, which any arkwiki reads.
  if (!record.packed.empty()) {
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

uint64_t RecordPlaintextSize(const OffsiteRecord& record, uint64_t manifest_bytes) {
  const uint64_t index_bytes = record.packed.TextSize();
  return RecordHeaderLine(record, index_bytes).size() + index_bytes + manifest_bytes;
}

Status WriteRecordPlaintext(const OffsiteRecord& record, const RandomAccessFile* manifest,
                            ByteSink* out) {
  ARKWIKI_RETURN_IF_ERROR(out->Write(RecordHeaderLine(record, record.packed.TextSize())));
  ARKWIKI_RETURN_IF_ERROR(record.packed.WriteText(out));
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

std::string RecordPlaintext(const OffsiteRecord& record) {
  StringByteSink text;
  (void)WriteRecordPlaintext(record, nullptr, &text);  // a StringByteSink takes every write
  return text.data();
}

Result<OffsiteRecord> ReadRecord(OffsiteTarget* target, const OffsiteKey& key,
                                 const std::string& id) {
  if (!IsSnapshotId(id)) return Status::InvalidArgument("not a restore point id: '" + id + "'");
  Result<uint64_t> size = target->Stat(RecordKey(id));
  if (size.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("no restore point " + id + " on " + target->Describe());
  }
  ARKWIKI_RETURN_IF_ERROR(size.status());
  if (*size > kMaxRecordBytes) return BadRecord(id, "it is " + std::to_string(*size) + " bytes");
  StringByteSink plain;
  DecryptingSink decrypt(key, RecordKey(id), &plain);
  // Stat's answer comes from the target too: Get holds it to that size (to
  // the cap when a server gave no size, which no record has).
  const uint64_t max_bytes = *size > 0 ? *size : kMaxRecordBytes;
  ARKWIKI_RETURN_IF_ERROR(target->Get(RecordKey(id), max_bytes, &decrypt));
  ARKWIKI_RETURN_IF_ERROR(decrypt.Finish());
  ARKWIKI_ASSIGN_OR_RETURN(OffsiteRecord record, ParseRecord(plain.data(), id));
  // The encryption already binds both; a mismatch here is a bug or a forgery
  // with the key, and is refused all the same.
  if (record.id != id || record.repository_id != key.repository_id()) {
    return BadRecord(
        id, "it names restore point " + record.id + " of repository " + record.repository_id);
  }
  return record;
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
