#include "offsite/offsite_pack_index.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <queue>
#include <type_traits>

#include "format/line_splitter.h"
#include "offsite/offsite_record.h"

namespace arkwiki {
namespace {

// The index is read and written on in blocks of this size.
constexpr size_t kIndexBlockBytes = size_t{64} << 10;

Status BadIndex(const std::string& id, const std::string& why) {
  return Status::Corruption("the off-site record of restore point " + id + " is refused: " + why);
}

// One line of the text.
void AppendIndexLine(const Sha256Raw& name, std::string_view pack, uint64_t offset,
                     std::string* text) {
  *text += HexEncode(name.data(), name.size());
  *text += ' ';
  *text += pack;
  *text += ' ';
  *text += std::to_string(offset);
  *text += '\n';
}

uint64_t IndexLineSize(std::string_view pack, uint64_t offset) {
  return 64 + 1 + pack.size() + 1 + std::to_string(offset).size() + 1;
}

}  // namespace

OffsitePackIndex::Prefix OffsitePackIndex::PrefixOf(const Sha256Raw& name) {
  Prefix prefix;
  std::memcpy(prefix.data(), name.data(), prefix.size());
  return prefix;
}

uint32_t PackNames::Number(std::string_view pack) {
  auto it = numbers_.find(pack);
  if (it == numbers_.end()) {
    it = numbers_.emplace(std::string(pack), static_cast<uint32_t>(names_.size())).first;
    names_.emplace_back(pack);
  }
  return it->second;
}

Status OffsitePackIndex::Append(const Sha256Raw& name, std::string_view pack, uint64_t offset,
                                const Sha256Raw* previous) {
  if (previous != nullptr && !(*previous < name)) {
    return Status::Corruption(*previous == name ? "names an object twice" : "is out of order");
  }
  const Prefix prefix = PrefixOf(name);
  if (!entries_.empty() && entries_.back().name == prefix) {
    return Status::Corruption("names an object whose name shares its first " +
                              std::to_string(kPrefixBytes) +
                              " bytes with the one before, which this arkwiki cannot tell apart");
  }
  entries_.push_back({prefix, packs_.Number(pack), static_cast<uint32_t>(offset)});
  return Status::Ok();
}

std::optional<OffsitePackIndex::Location> OffsitePackIndex::Find(const std::string& name) const {
  Sha256Raw raw{};
  if (!ParseSha256Hex(name, &raw)) return std::nullopt;
  const Prefix prefix = PrefixOf(raw);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), prefix,
                             [](const Entry& e, const Prefix& p) { return e.name < p; });
  if (it == entries_.end() || it->name != prefix) return std::nullopt;
  return Location{packs_[it->pack], it->offset};
}

void OffsitePackIndex::RetainIf(
    const std::function<bool(std::string_view pack, uint64_t offset)>& keep) {
  std::erase_if(entries_, [&](const Entry& e) { return !keep(packs_[e.pack], e.offset); });
}

std::vector<std::string> OffsitePackIndex::Packs() const {
  std::vector<bool> named(packs_.size());
  for (const Entry& e : entries_) named[e.pack] = true;
  std::vector<std::string> packs;
  for (const auto& [pack, number] : packs_.by_name()) {
    if (named[number]) packs.push_back(pack);
  }
  return packs;
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
  index.entries_.reserve(static_cast<size_t>(std::min(size / kMinLineBytes, kMaxReserved)));
  std::string block(kIndexBlockBytes, '\0');
  // No line a writer writes is longer than ~120 bytes.
  LineSplitter lines(256);
  Sha256Raw previous{};
  const auto not_a_line = [&](uint64_t line) {
    return BadIndex(id, "line " + std::to_string(line) +
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
    if (at >= kMaxPackBytes) return BadIndex(id, where + " names an offset past any pack");
    const Status s = index.Append(raw, pack, at, index.entries_.empty() ? nullptr : &previous);
    if (!s.ok()) return BadIndex(id, where + " " + s.message());
    previous = raw;
    return Status::Ok();
  };
  for (uint64_t done = 0; done < size;) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(block.size(), size - done));
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file.ReadAt(offset + done, block.data(), want));
    if (n == 0) return BadIndex(id, "its pack index is cut short");
    done += n;
    ARKWIKI_RETURN_IF_ERROR(lines.Feed(std::string_view(block.data(), n), parse_line, not_a_line));
  }
  if (lines.open()) return BadIndex(id, "its pack index has no last newline");
  return index;
}

Result<OffsitePackIndex> OffsitePackIndex::Parse(std::string_view text, const std::string& id) {
  return Read(StringFile(std::string(text)), 0, text.size(), id);
}

// ---- OffsitePackIndexWriter ----

// One run of the scratch file, read back in blocks of 16 KiB (a record's
// 5,000,000 objects at the default run size make 77 runs: 1.2 MiB).
class OffsitePackIndexWriter::RunReader {
 public:
  static constexpr size_t kBlockEntries = 409;

  RunReader(const RandomAccessFile* file, uint64_t begin, uint64_t end)
      : file_(file), next_(begin), end_(end) {}

  // The next entry, or false at the end of the run.
  Result<bool> Next(Entry* entry) {
    if (pos_ == block_.size()) ARKWIKI_RETURN_IF_ERROR(Fill());
    if (pos_ == block_.size()) return false;
    *entry = block_[pos_++];
    return true;
  }

 private:
  Status Fill() {
    const uint64_t count = std::min<uint64_t>(kBlockEntries, end_ - next_);
    block_.resize(count);
    pos_ = 0;
    char* out = reinterpret_cast<char*>(block_.data());
    const size_t want = count * sizeof(Entry);
    for (size_t got = 0; got < want;) {
      ARKWIKI_ASSIGN_OR_RETURN(size_t n,
                               file_->ReadAt(next_ * sizeof(Entry) + got, out + got, want - got));
      if (n == 0) return Status::IoError("a scratch file of a record's pack index was cut short");
      got += n;
    }
    next_ += count;
    return Status::Ok();
  }

  const RandomAccessFile* file_;
  uint64_t next_;  // the next entry to read, counted from the file's start
  uint64_t end_;
  std::vector<Entry> block_;
  size_t pos_ = 0;
};

namespace {

template <typename E>
bool IndexEntryLess(const E& a, const E& b) {
  if (a.name != b.name) return a.name < b.name;
  return a.pack != b.pack ? a.pack < b.pack : a.offset < b.offset;
}

}  // namespace

OffsitePackIndexWriter::OffsitePackIndexWriter(const OffsiteScratch& scratch)
    : scratch_(scratch), spills_(scratch.env != nullptr) {}

Status OffsitePackIndexWriter::Add(const std::string& name, std::string_view pack,
                                   uint64_t offset) {
  static_assert(sizeof(Entry) == 40 && std::is_trivially_copyable_v<Entry>,
                "runs are written as the entries' bytes");
  ARKWIKI_RETURN_IF_ERROR(failed_);
  Entry e;
  ParseSha256Hex(name, &e.name);
  e.pack = packs_.Number(pack);
  // The copy's packs close at kPackTargetBytes, far below 2^32.
  e.offset = static_cast<uint32_t>(offset);
  if (spills_ && held_.size() >= std::max<size_t>(scratch_.files_held, 1)) {
    failed_ = Spill();
    ARKWIKI_RETURN_IF_ERROR(failed_);
  }
  held_.push_back(e);
  held_sorted_ = false;
  ++added_;
  return Status::Ok();
}

// Sorts the entries held and appends them to the scratch file as one run.
Status OffsitePackIndexWriter::Spill() {
  if (!runs_file_) {
    ARKWIKI_ASSIGN_OR_RETURN(runs_file_, CreateScratchFile(scratch_, "arkwiki-pack-index-"));
  }
  std::sort(held_.begin(), held_.end(), IndexEntryLess<Entry>);
  ARKWIKI_RETURN_IF_ERROR(
      runs_file_->out
          ->Append(std::string_view(reinterpret_cast<const char*>(held_.data()),
                                    held_.size() * sizeof(Entry)))
          .WithContext("writing a record's pack index to a scratch file in " + scratch_.dir));
  run_ends_.push_back((run_ends_.empty() ? 0 : run_ends_.back()) + held_.size());
  held_.clear();
  held_sorted_ = true;
  return Status::Ok();
}

// A k-way merge of the runs and the entries held: names come out in order,
// and of a name's entries the first in IndexEntryLess order is handed out.
Status OffsitePackIndexWriter::ForEach(const std::function<Status(const Entry&)>& fn) const {
  ARKWIKI_RETURN_IF_ERROR(failed_);
  if (!held_sorted_) {
    std::sort(held_.begin(), held_.end(), IndexEntryLess<Entry>);
    held_sorted_ = true;
  }
  std::vector<RunReader> runs;
  runs.reserve(run_ends_.size());
  for (size_t i = 0; i < run_ends_.size(); ++i) {
    runs.emplace_back(runs_file_->in.get(), i == 0 ? 0 : run_ends_[i - 1], run_ends_[i]);
  }
  struct Head {
    Entry entry;
    size_t source;  // a run, or runs.size() for the entries held
  };
  size_t held_at = 0;
  auto later = [](const Head& a, const Head& b) { return IndexEntryLess(b.entry, a.entry); };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  auto advance = [&](size_t source) -> Status {
    Head h{{}, source};
    if (source == runs.size()) {
      if (held_at == held_.size()) return Status::Ok();
      h.entry = held_[held_at++];
    } else {
      ARKWIKI_ASSIGN_OR_RETURN(bool more, runs[source].Next(&h.entry));
      if (!more) return Status::Ok();
    }
    heads.push(h);
    return Status::Ok();
  };
  for (size_t i = 0; i <= runs.size(); ++i) ARKWIKI_RETURN_IF_ERROR(advance(i));
  std::optional<Sha256Raw> previous;
  while (!heads.empty()) {
    const Entry first = heads.top().entry;
    while (!heads.empty() && heads.top().entry.name == first.name) {
      const size_t source = heads.top().source;
      heads.pop();
      ARKWIKI_RETURN_IF_ERROR(advance(source));
    }
    if (previous &&
        std::memcmp(previous->data(), first.name.data(), OffsitePackIndex::kPrefixBytes) == 0) {
      return Status::Unsupported(
          "two files of this restore point have object names that share their first " +
          std::to_string(OffsitePackIndex::kPrefixBytes) +
          " bytes, which an off-site record cannot hold; it is not copied");
    }
    previous = first.name;
    ARKWIKI_RETURN_IF_ERROR(fn(first));
  }
  return Status::Ok();
}

Result<uint64_t> OffsitePackIndexWriter::TextSize() const {
  uint64_t size = 0;
  ARKWIKI_RETURN_IF_ERROR(ForEach([&](const Entry& e) {
    size += IndexLineSize(packs_[e.pack], e.offset);
    return Status::Ok();
  }));
  return size;
}

Status OffsitePackIndexWriter::WriteText(ByteSink* out) const {
  std::string text;
  ARKWIKI_RETURN_IF_ERROR(ForEach([&](const Entry& e) {
    AppendIndexLine(e.name, packs_[e.pack], e.offset, &text);
    if (text.size() < kIndexBlockBytes) return Status::Ok();
    Status s = out->Write(text);
    text.clear();
    return s;
  }));
  return out->Write(text);
}

Result<OffsitePackIndex> OffsitePackIndexWriter::ToIndex() const {
  OffsitePackIndex index;
  // As many entries as were added (a name added twice leaves a few
  // unused): without it the vector's doubling would hold a second copy.
  index.entries_.reserve(static_cast<size_t>(added_));
  Sha256Raw previous{};
  ARKWIKI_RETURN_IF_ERROR(ForEach([&](const Entry& e) {
    ARKWIKI_RETURN_IF_ERROR(
        index.Append(e.name, packs_[e.pack], e.offset, index.empty() ? nullptr : &previous)
            .WithContext("reading back the pack index of the record just written"));
    previous = e.name;
    return Status::Ok();
  }));
  return index;
}

}  // namespace arkwiki
