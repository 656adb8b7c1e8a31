#include "offsite/offsite_record.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <sstream>

#include "format/line_splitter.h"
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

void OffsitePackIndex::Add(const std::string& name, const std::string& pack, uint64_t offset) {
  Sha256Raw raw{};
  ParseSha256Hex(name, &raw);
  AddRaw(raw, pack, offset);
}

void OffsitePackIndex::AddRaw(const Sha256Raw& name, std::string_view pack, uint64_t offset) {
  // Offsets come from Read, which refuses any at or past kMaxPackBytes, or
  // from a copy's own packs, which close at kPackTargetBytes.
  pending_.push_back({name, PackNumber(pack), static_cast<uint32_t>(offset)});
  pending_sorted_ = pending_.size() == 1;
}

uint32_t OffsitePackIndex::PackNumber(std::string_view pack) {
  auto it = pack_numbers_.find(pack);
  if (it == pack_numbers_.end()) {
    it = pack_numbers_.emplace(std::string(pack), static_cast<uint32_t>(packs_.size())).first;
    packs_.emplace_back(pack);
  }
  return it->second;
}

void OffsitePackIndex::SortPending() const {
  if (pending_sorted_) return;
  // Stable, so that of equal names the last added wins. std::stable_sort
  // would take a buffer of half the entries (20 MB at 1,000,000); this
  // sorts 4-byte positions by (name, position), then moves the entries
  // into that order along the permutation's cycles.
  std::vector<uint32_t> order(pending_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [this](uint32_t a, uint32_t b) {
    const Sha256Raw& name_a = pending_[a].name;
    const Sha256Raw& name_b = pending_[b].name;
    return name_a != name_b ? name_a < name_b : a < b;
  });
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    // Entry `start` goes where its cycle says; each step fills one place.
    const Entry first = pending_[start];
    size_t at = start;
    while (order[at] != start) {
      const size_t from = order[at];
      pending_[at] = pending_[from];
      order[at] = static_cast<uint32_t>(at);
      at = from;
    }
    pending_[at] = first;
    order[at] = static_cast<uint32_t>(at);
  }
  // Of equal names the last added wins: keep the last of each run.
  size_t kept = 0;
  for (size_t i = 0; i < pending_.size(); ++i) {
    if (i + 1 < pending_.size() && pending_[i + 1].name == pending_[i].name) continue;
    pending_[kept++] = pending_[i];
  }
  pending_.resize(kept);
  pending_sorted_ = true;
}

void OffsitePackIndex::Settle() const {
  if (pending_.empty()) return;
  SortPending();
  if (sorted_.empty()) {  // nothing to merge with: no second copy at all
    sorted_.swap(pending_);
    return;
  }
  // Merged from the back into sorted_'s own storage, so that no merged
  // copy is built beside it (growing the vector may move it once); a name
  // in both keeps pending_'s entry.
  const size_t old_size = sorted_.size();
  sorted_.resize(old_size + pending_.size());
  size_t out = sorted_.size();
  size_t a = old_size;
  size_t b = pending_.size();
  while (b > 0) {
    if (a > 0 && pending_[b - 1].name < sorted_[a - 1].name) {
      sorted_[--out] = sorted_[--a];
    } else {
      if (a > 0 && sorted_[a - 1].name == pending_[b - 1].name) --a;  // replaced
      sorted_[--out] = pending_[--b];
    }
  }
  // Replaced entries leave a gap between the untouched head [0, a) and the
  // merged tail [out, end).
  if (out > a) {
    std::move(sorted_.begin() + static_cast<std::ptrdiff_t>(out), sorted_.end(),
              sorted_.begin() + static_cast<std::ptrdiff_t>(a));
    sorted_.resize(sorted_.size() - (out - a));
  }
  pending_.clear();
  pending_.shrink_to_fit();
  pending_sorted_ = true;
}

void OffsitePackIndex::Reserve(size_t entries) { pending_.reserve(entries); }

const OffsitePackIndex::Entry* OffsitePackIndex::FindRaw(const Sha256Raw& name) const {
  if (pending_.size() > sorted_.size() / 4) Settle();
  const Entry key{name, 0, 0};
  SortPending();
  auto p = std::lower_bound(pending_.begin(), pending_.end(), key, ByName);
  if (p != pending_.end() && p->name == name) return &*p;
  auto s = std::lower_bound(sorted_.begin(), sorted_.end(), key, ByName);
  if (s != sorted_.end() && s->name == name) return &*s;
  return nullptr;
}

std::optional<OffsitePackIndex::Location> OffsitePackIndex::Find(const std::string& name) const {
  Sha256Raw raw{};
  if (!ParseSha256Hex(name, &raw)) return std::nullopt;
  const Entry* e = FindRaw(raw);
  if (e == nullptr) return std::nullopt;
  return Location{packs_[e->pack], e->offset};
}

size_t OffsitePackIndex::size() const {
  Settle();
  return sorted_.size();
}

void OffsitePackIndex::RetainIf(
    const std::function<bool(std::string_view pack, uint64_t offset)>& keep) {
  Settle();
  std::erase_if(sorted_, [&](const Entry& e) { return !keep(packs_[e.pack], e.offset); });
}

std::vector<std::string> OffsitePackIndex::Packs() const {
  Settle();
  std::vector<bool> named(packs_.size());
  for (const Entry& e : sorted_) named[e.pack] = true;
  std::vector<std::string> packs;
  for (const auto& [pack, number] : pack_numbers_) {
    if (named[number]) packs.push_back(pack);
  }
  return packs;
}

uint64_t OffsitePackIndex::TextSize() const {
  Settle();
  uint64_t size = 0;
  for (const Entry& e : sorted_) {
    size += e.name.size() * 2 + 1 + packs_[e.pack].size() + 1 + std::to_string(e.offset).size() + 1;
  }
  return size;
}

Status OffsitePackIndex::WriteText(ByteSink* out) const {
  Settle();
  std::string text;
  for (const Entry& e : sorted_) {
    text += HexEncode(e.name.data(), e.name.size());
    text += ' ';
    text += packs_[e.pack];
    text += ' ';
    text += std::to_string(e.offset);
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

Result<OffsitePackIndex> OffsitePackIndex::Read(const RandomAccessFile& file, uint64_t offset,
                                                uint64_t size, const std::string& id) {
  OffsitePackIndex index;
  // Every line is at least kMinLineBytes long: reserving for that many
  // spares the doubling's second copy (the index is the largest thing a
  // reader holds) at the cost of the few bytes an offset's digits add.
  // At most kMaxReserved: only a holder of the key can make a record of
  // more lines, and the vector grows as they come.
  constexpr uint64_t kMinLineBytes = 64 + 1 + 32 + 1 + 1 + 1;
  constexpr uint64_t kMaxReserved = uint64_t{1} << 21;
  index.sorted_.reserve(static_cast<size_t>(std::min(size / kMinLineBytes, kMaxReserved)));
  std::string block(kTextBlockBytes, '\0');
  // No line Text writes is longer than ~120 bytes.
  LineSplitter lines(256);
  const auto not_a_line = [&](uint64_t line) {
    return BadRecord(id, "line " + std::to_string(line) +
                             " of its pack index is not \"<name> <pack> <offset>\"");
  };
  const auto parse_line = [&](std::string_view text) -> Status {
    const std::string where = "line " + std::to_string(lines.lines() + 1) + " of its pack index";
    if (text.size() < 64 + 1 + 32 + 2 || text[64] != ' ' || text[97] != ' ') {
      return not_a_line(lines.lines() + 1);
    }
    const std::string_view name = text.substr(0, 64);
    const std::string_view pack = text.substr(65, 32);
    const std::string_view digits = text.substr(98);
    uint64_t at = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), at);
    Sha256Raw raw{};
    if (!IsLowerHex(name, 64) || !IsLowerHex(pack, 32) || ec != std::errc() ||
        end != digits.data() + digits.size() || (digits.size() > 1 && digits[0] == '0') ||
        !ParseSha256Hex(name, &raw)) {
      return not_a_line(lines.lines() + 1);
    }
    if (at >= kMaxPackBytes) return BadRecord(id, where + " names an offset past any pack");
    if (!index.sorted_.empty() && !(index.sorted_.back().name < raw)) {
      return BadRecord(id, where + (index.sorted_.back().name == raw ? " names an object twice"
                                                                     : " is out of order"));
    }
    // In order, so straight into the sorted entries.
    index.sorted_.push_back({raw, index.PackNumber(pack), static_cast<uint32_t>(at)});
    return Status::Ok();
  };
  for (uint64_t done = 0; done < size;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file.ReadAt(offset + done, block.data(), want));
    if (n == 0) return BadRecord(id, "its pack index is cut short");
    done += n;
    ARKWIKI_RETURN_IF_ERROR(lines.Feed(std::string_view(block.data(), n), parse_line, not_a_line));
  }
  if (lines.open()) return BadRecord(id, "its pack index has no last newline");
  return index;
}

Result<OffsitePackIndex> OffsitePackIndex::Parse(std::string_view text, const std::string& id) {
  return Read(StringFile(std::string(text)), 0, text.size(), id);
}

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

namespace {

// Bytes [offset, offset + size) of a file as a file of their own.
class FileWindow final : public RandomAccessFile {
 public:
  FileWindow(std::shared_ptr<const RandomAccessFile> file, uint64_t offset, uint64_t size)
      : file_(std::move(file)), offset_(offset), size_(size) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset >= size_) return size_t{0};
    return file_->ReadAt(offset_ + offset, buf, std::min<uint64_t>(n, size_ - offset));
  }
  uint64_t Size() const override { return size_; }

 private:
  std::shared_ptr<const RandomAccessFile> file_;
  uint64_t offset_;
  uint64_t size_;
};

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
  const std::string spool = JoinPath(scratch.dir, "arkwiki-record-" + RandomHex(8));
  bool left_named = false;
  Result<UnnamedFile> unnamed = CreateUnnamedFile(scratch.env, spool, &left_named);
  if (!unnamed.ok()) {
    if (left_named) (void)scratch.env->RemoveFile(spool);  // best effort; the failure matters more
    return unnamed.status();
  }
  const std::shared_ptr<const RandomAccessFile> plain = std::move(unnamed->in);
  // The reader was opened before the first byte was written: the size is
  // the writer's count, not the reader's.
  uint64_t total = 0;
  {
    FileByteSink sink(std::move(unnamed->out));
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
    ARKWIKI_ASSIGN_OR_RETURN(r.packed, OffsitePackIndex::Read(*plain, index_at, packed_bytes, id));
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
