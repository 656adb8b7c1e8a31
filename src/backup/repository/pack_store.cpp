#include "repository/pack_store.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <tuple>

#include "arkwiki/core/crash_point.h"
#include "repository/point_json.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

constexpr char kTrailerMagic[] = "arkwiki-pack-v1 ";  // 16 bytes
constexpr size_t kMagicSize = sizeof(kTrailerMagic) - 1;
constexpr uint64_t kMaxIndexBytes = 256 << 20;
constexpr char kPackSuffix[] = ".pack";

bool ParseNumber(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// Reads exactly `n` bytes at `offset`.
Status ReadExactly(const RandomAccessFile& file, uint64_t offset, char* buf, size_t n) {
  while (n > 0) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t got, file.ReadAt(offset, buf, n));
    if (got == 0) return Status::Corruption("truncated");
    offset += got, buf += got, n -= got;
  }
  return Status::Ok();
}

// One index line "<sha256> <offset> <size>", within `data_end` and within
// the bits of the pack index (kPackOffsetBits, kPackSizeBits).
bool ParseIndexLine(std::string_view line, uint64_t data_end, PackEntry* entry) {
  if (line.size() < 68 || line[64] != ' ') return false;
  if (!ParseSha256Hex(line.substr(0, 64), &entry->sha256)) return false;
  const std::string_view rest = line.substr(65);
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return false;
  uint64_t offset = 0;
  uint64_t size = 0;
  if (!ParseNumber(rest.substr(0, space), &offset)) return false;
  if (!ParseNumber(rest.substr(space + 1), &size)) return false;
  if (offset > data_end || size > data_end - offset) return false;
  if (offset >> kPackOffsetBits != 0 || size >> kPackSizeBits != 0) return false;
  entry->offset = static_cast<uint32_t>(offset);
  entry->size = static_cast<uint32_t>(size);
  return true;
}

}  // namespace

std::string PacksDir(const RepoLayout& repo) { return JoinPath(repo.objects, "packs"); }

namespace {

// The length of the index of the pack `file`, from its trailer.
Result<uint64_t> ReadIndexSize(const RandomAccessFile& file) {
  const uint64_t size = file.Size();
  if (size < kPackTrailerSize) return Status::Corruption("shorter than its trailer");
  char trailer[kPackTrailerSize];
  ARKWIKI_RETURN_IF_ERROR(ReadExactly(file, size - kPackTrailerSize, trailer, kPackTrailerSize));
  const std::string_view t(trailer, kPackTrailerSize);
  uint64_t index_size = 0;
  if (t.substr(0, kMagicSize) != kTrailerMagic || t.back() != '\n' ||
      !ParseNumber(t.substr(kMagicSize, kPackTrailerSize - kMagicSize - 1), &index_size) ||
      index_size > size - kPackTrailerSize || index_size > kMaxIndexBytes) {
    return Status::Corruption("damaged trailer");
  }
  return index_size;
}

}  // namespace

Result<std::vector<std::string>> ListPacks(Env* env, const RepoLayout& repo) {
  std::vector<std::string> packs;
  const std::string dir = PacksDir(repo);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dir));
  if (!exists) return packs;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> files, env->ListDir(dir));
  for (const DirEntry& f : files) {
    const std::string_view name = f.name;
    Sha256Raw raw;
    if (f.type != DirEntry::Type::kFile || name.size() != 64 + sizeof(kPackSuffix) - 1 ||
        !ParseSha256Hex(name.substr(0, 64), &raw) || name.substr(64) != kPackSuffix) {
      continue;  // not a pack: left alone
    }
    packs.push_back(f.name);
  }
  std::sort(packs.begin(), packs.end());
  return packs;
}

// The text of the index of the pack `file`.
Result<std::string> ReadIndexText(const RandomAccessFile& file, uint64_t* data_end) {
  ARKWIKI_ASSIGN_OR_RETURN(const uint64_t index_size, ReadIndexSize(file));
  *data_end = file.Size() - kPackTrailerSize - index_size;
  std::string text(index_size, '\0');
  ARKWIKI_RETURN_IF_ERROR(ReadExactly(file, *data_end, text.data(), text.size()));
  return text;
}

Status ReadPackEntries(Env* env, const std::string& dir, const std::string& name, uint32_t pack,
                       std::vector<PackEntry>* entries) {
  const size_t first = entries->size();
  Status s =
      ReadPackEntries(env, dir, name, pack, [&](const PackEntry& e) { entries->push_back(e); });
  if (!s.ok()) entries->resize(first);
  return s;
}

Status ReadPackEntries(Env* env, const std::string& dir, const std::string& name, uint32_t pack,
                       const std::function<void(const PackEntry&)>& each) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(JoinPath(dir, name)));
  uint64_t data_end = 0;
  ARKWIKI_ASSIGN_OR_RETURN(const std::string text, ReadIndexText(*file, &data_end));
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    PackEntry e;
    e.pack = pack;
    if (eol == std::string_view::npos || !ParseIndexLine(rest.substr(0, eol), data_end, &e)) {
      return Status::Corruption("damaged index");
    }
    each(e);
    rest.remove_prefix(eol + 1);
  }
  return Status::Ok();
}

PackIndex::PackIndex() = default;
PackIndex::~PackIndex() = default;
PackIndex::PackIndex(PackIndex&& other) noexcept = default;
PackIndex& PackIndex::operator=(PackIndex&& other) noexcept = default;

PackIndex::PackIndex(Env* env, const RepoLayout& repo) : env_(env), dir_(PacksDir(repo)) {
  // crypto_shorthash (SipHash-2-4) and randombytes_buf need no sodium_init.
  randombytes_buf(tag_key_.data(), tag_key_.size());
}

Result<PackIndex> PackIndex::Load(Env* env, const RepoLayout& repo) {
  PackIndex index(env, repo);
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> names, ListPacks(env, repo));
  // The indexes' lines are counted first and the entries reserved at once,
  // so the vector never grows by copying (which held up to three times the
  // index at once). So each index is read twice, one at a time.
  std::vector<std::string> readable;
  uint64_t lines = 0;
  for (const std::string& name : names) {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(JoinPath(index.dir_, name)));
    uint64_t data_end = 0;
    Result<std::string> text = ReadIndexText(*file, &data_end);
    if (text.ok()) {
      lines += static_cast<uint64_t>(std::count(text->begin(), text->end(), '\n'));
      readable.push_back(name);
    } else if (text.status().code() == StatusCode::kCorruption) {
      index.unreadable_.push_back(name + ": " + text.status().message());
    } else {
      return text.status();
    }
  }
  index.slots_.reserve(lines);
  ARKWIKI_RETURN_IF_ERROR(index.AddPacks(readable));
  return index;
}

Status PackIndex::AddPacks(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (packs_.size() >> kPackNumberBits != 0) {
      return Status::TooLarge("the repository holds more packs than its index can hold (" +
                              std::to_string(uint64_t{1} << kPackNumberBits) + ")");
    }
    const size_t first = slots_.size();
    const auto pack = static_cast<uint32_t>(packs_.size());
    Status s = ReadPackEntries(env_, dir_, name, pack,
                               [&](const PackEntry& e) { slots_.push_back(SlotOf(e)); });
    if (s.code() == StatusCode::kCorruption) {
      slots_.resize(first);
      unreadable_.push_back(name + ": " + s.message());
      continue;
    }
    ARKWIKI_RETURN_IF_ERROR(s);
    packs_.push_back(name);
  }
  // In place: std::stable_sort would borrow a buffer of half the index.
  // Of an object in several packs, the first pack by name is found, as the
  // order the packs were read in would give.
  std::sort(slots_.begin(), slots_.end(), [](const Slot& a, const Slot& b) {
    return std::tie(a.prefix, a.place) < std::tie(b.prefix, b.place);
  });
  return Status::Ok();
}

static_assert(crypto_shorthash_BYTES == 8 && crypto_shorthash_KEYBYTES == 16);

// The entry's pack, offset and size must be within their bits (the index
// lines are checked against them, and AddPacks counts the packs).
PackIndex::Slot PackIndex::SlotOf(const PackEntry& e) const {
  static_assert(sizeof(Slot) == 20);
  Slot slot;
  for (size_t i = 0; i < 4; ++i) slot.prefix = (slot.prefix << 8) | e.sha256[i];
  std::array<unsigned char, crypto_shorthash_BYTES> tag{};
  crypto_shorthash(tag.data(), e.sha256.data(), e.sha256.size(), tag_key_.data());
  std::memcpy(slot.tag.data(), tag.data(), tag.size());
  const uint64_t place = uint64_t{e.pack} << (kPackOffsetBits + kPackSizeBits) |
                         uint64_t{e.offset} << kPackSizeBits | e.size;
  slot.place = {static_cast<uint32_t>(place >> 32), static_cast<uint32_t>(place)};
  return slot;
}

PackEntry PackIndex::EntryOf(const Sha256Raw& sha256, const Slot& slot) {
  const uint64_t place = PlaceOf(slot);
  constexpr uint64_t kOffsetMask = (uint64_t{1} << kPackOffsetBits) - 1;
  constexpr uint64_t kSizeMask = (uint64_t{1} << kPackSizeBits) - 1;
  return PackEntry{sha256, static_cast<uint32_t>(place >> (kPackOffsetBits + kPackSizeBits)),
                   static_cast<uint32_t>((place >> kPackSizeBits) & kOffsetMask),
                   static_cast<uint32_t>(place & kSizeMask)};
}

std::vector<PackIndex::Slot>::const_iterator PackIndex::FirstWithPrefix(const Slot& key) const {
  return std::lower_bound(slots_.begin(), slots_.end(), key,
                          [](const Slot& a, const Slot& b) { return a.prefix < b.prefix; });
}

std::optional<size_t> PackIndex::FindPosition(const Sha256Raw& sha256) const {
  const Slot key = SlotOf(PackEntry{sha256});
  for (auto it = FirstWithPrefix(key); it != slots_.end() && it->prefix == key.prefix; ++it) {
    if (it->tag == key.tag) return static_cast<size_t>(it - slots_.begin());
  }
  return std::nullopt;
}

std::optional<PackEntry> PackIndex::Find(const Sha256Raw& sha256) const {
  const std::optional<size_t> at = FindPosition(sha256);
  if (!at) return std::nullopt;
  return EntryOf(sha256, slots_[*at]);
}

Result<std::vector<PackEntry>> PackIndex::ReadEntries() const {
  std::vector<PackEntry> entries;
  for (uint32_t pack = 0; pack < packs_.size(); ++pack) {
    ARKWIKI_RETURN_IF_ERROR(
        ReadPackEntries(env_, dir_, packs_[pack], pack, [&](const PackEntry& e) {
          const Slot key = SlotOf(e);
          for (auto it = FirstWithPrefix(key); it != slots_.end() && it->prefix == key.prefix;
               ++it) {
            if (it->tag == key.tag && it->place == key.place) {
              entries.push_back(e);
              break;
            }
          }
        }));
  }
  std::sort(entries.begin(), entries.end(), [](const PackEntry& a, const PackEntry& b) {
    return std::tie(a.sha256, a.pack, a.offset) < std::tie(b.sha256, b.pack, b.offset);
  });
  return entries;
}

PackWriter::PackWriter(Env* env, const RepoLayout& repo, const OffsiteKey* key)
    : env_(env), repo_(repo), key_(key), buffer_(kPackObjectLimit + 1) {}

PackWriter::~PackWriter() = default;

Status PackWriter::Add(const std::string& from, const std::string& sha256, uint64_t size) {
  if (size >= kPackObjectLimit) return Status::InvalidArgument("too large for a pack: " + from);
  // Read whole (and one byte more, to see a grown file) and checked before
  // anything is appended, so a damaged live file leaves the pack as it was.
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env_->NewSequentialFile(from));
  uint64_t got = 0;
  while (got <= size) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buffer_.data() + got, size + 1 - got));
    if (n == 0) break;
    got += n;
  }
  const std::string_view bytes(buffer_.data(), static_cast<size_t>(got));
  if (got != size || Sha256Hex(bytes) != sha256) {
    return Status::Corruption("upload file " + from +
                              " is damaged: its content no longer matches its hash");
  }
  return Append(sha256, bytes);
}

Status PackWriter::AddBytes(const std::string& sha256, std::string_view bytes) {
  if (bytes.size() >= kPackObjectLimit) return Status::InvalidArgument("too large for a pack");
  return Append(sha256, bytes);
}

Status PackWriter::Append(const std::string& sha256, std::string_view bytes) {
  std::string name = sha256;
  std::string sealed;
  std::string_view stored = bytes;
  if (key_) {
    name = SealedObjectName(*key_, sha256);
    ARKWIKI_ASSIGN_OR_RETURN(sealed, EncryptBytes(*key_, ObjectBinding(name), bytes));
    stored = sealed;
  }
  if (!file_) ARKWIKI_RETURN_IF_ERROR(Open());
  ARKWIKI_RETURN_IF_ERROR(file_->Append(stored));
  hash_->Update(stored);
  index_ += name + " " + std::to_string(offset_) + " " + std::to_string(stored.size()) + "\n";
  offset_ += stored.size();
  if (offset_ >= kPackTargetSize) return Place();
  return Status::Ok();
}

Status PackWriter::Finish() { return file_ ? Place() : Status::Ok(); }

Status PackWriter::Open() {
  // tmp/ is emptied under the repository lock before a snapshot.
  tmp_path_ = JoinPath(repo_.tmp, "pack-" + std::to_string(packs_written_));
  ARKWIKI_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(tmp_path_, CreateMode::kExclusive));
  hash_ = std::make_unique<Sha256>();
  index_.clear();
  offset_ = 0;
  return Status::Ok();
}

// Index and trailer appended, then renamed to objects/packs/<sha256>.pack.
// The first pack of a run marks the repository as format version 2 (or
// later) first,
// so that no older arkwiki (whose prune would remove packs/) opens it.
Status PackWriter::Place() {
  char trailer[kPackTrailerSize + 1];
  std::snprintf(trailer, sizeof(trailer), "%s%015llu\n", kTrailerMagic,
                static_cast<unsigned long long>(index_.size()));
  const std::string_view tail(trailer, kPackTrailerSize);
  ARKWIKI_RETURN_IF_ERROR(file_->Append(index_));
  ARKWIKI_RETURN_IF_ERROR(file_->Append(tail));
  // Starts the write-back now, so that the snapshot's syncfs has less to do.
  ARKWIKI_RETURN_IF_ERROR(file_->WriteBack(0, 0, /*wait=*/false));
  ARKWIKI_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  hash_->Update(index_);
  hash_->Update(tail);
  const std::string name = hash_->FinishHex() + kPackSuffix;
  CrashPoint("repository.snapshot.before_pack");
  if (!format_upgraded_) {
    ARKWIKI_RETURN_IF_ERROR(UpgradeRepositoryFormat(env_, repo_, kPackedFormatVersion));
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDir(PacksDir(repo_)));
    format_upgraded_ = true;
  }
  ARKWIKI_RETURN_IF_ERROR(env_->Rename(tmp_path_, JoinPath(PacksDir(repo_), name)));
  ++packs_written_;
  CrashPoint("repository.snapshot.after_pack");
  return Status::Ok();
}

}  // namespace arkwiki
