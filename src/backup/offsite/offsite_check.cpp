// Checking a target (arkwiki/backup/offsite.h).
#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <string>

#include "arkwiki/backup/offsite.h"
#include "format/manifest_parser.h"
#include "offsite/offsite_fetch.h"
#include "offsite/offsite_record.h"
#include "policy/read_subset.h"

namespace arkwiki {
namespace {

// `name` is an object name: 64 hex digits (a name that is not reads as 0).
bool InSubset(const std::string& name, const CheckOptions& options) {
  uint64_t head = 0;
  const auto parsed =
      std::from_chars(name.data(), name.data() + std::min<size_t>(name.size(), 16), head, 16);
  if (parsed.ec != std::errc()) head = 0;
  return InReadSubset(head, options);
}

// The objects a check has read, by the first 16 bytes of their names
// (keyed hashes, so two names share them with a chance of about 2^-88 at
// 1,000,000 objects; the cost of that would be one object not read twice).
// 16 bytes an object, where a std::set of the names took about 100.
class ReadNames {
 public:
  // Whether `name` was read before this point's names were added.
  bool Contains(const std::string& name) const {
    return std::binary_search(sorted_.begin(), sorted_.end(), Prefix(name));
  }
  // Notes `name` as read; seen by Contains after Settle.
  void Add(const std::string& name) { added_.push_back(Prefix(name)); }
  void Settle() {
    sorted_.insert(sorted_.end(), added_.begin(), added_.end());
    std::sort(sorted_.begin(), sorted_.end());
    sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
    added_.clear();
    added_.shrink_to_fit();
  }

 private:
  using NamePrefix = std::array<uint8_t, 16>;
  static NamePrefix Prefix(const std::string& name) {
    Sha256Raw raw{};
    ParseSha256Hex(name, &raw);  // a name that is not 64 hex digits reads as zeros
    NamePrefix p{};
    std::copy_n(raw.begin(), p.size(), p.begin());
    return p;
  }
  std::vector<NamePrefix> sorted_;
  std::vector<NamePrefix> added_;
};

class TargetChecker {
 public:
  TargetChecker(OffsiteTarget* target, const OffsiteKey& key, const CheckOptions& options,
                const OffsiteScratch& scratch)
      : target_(target), key_(key), options_(options), scratch_(scratch) {}

  Status Run(CheckReport* report) {
    ARKWIKI_ASSIGN_OR_RETURN(sizes_, ListSizes(target_, kObjectsPrefix));
    ARKWIKI_ASSIGN_OR_RETURN(pack_sizes_, ListSizes(target_, kPacksPrefix));
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target_));
    for (const std::string& id : ids) {
      ++report->snapshots_checked;
      Status s = CheckPoint(id, report);
      read_.Settle();
      if (!s.ok()) report->snapshot_problems.push_back(id + ": " + s.message());
    }
    for (auto& [sha, damaged] : damaged_) report->damaged.push_back(std::move(damaged));
    return Status::Ok();
  }

 private:
  Status CheckPoint(const std::string& id, CheckReport* report) {
    ARKWIKI_ASSIGN_OR_RETURN(ReadBackRecord read, ReadRecord(target_, key_, id, scratch_));
    ManifestFileStore files = NewFileStore(scratch_);
    ARKWIKI_RETURN_IF_ERROR(ParseRecordManifest(read, &files).status());
    // Packed files are read pack by pack once every listing is checked.
    PackedReadPlan plan = PackedReadPlan::ForFiles(files.size());
    std::string previous;  // a name listed twice in a row is read once
    ManifestFileStore::Cursor cursor = files.Walk();
    for (size_t i = 0;; ++i) {
      ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
      if (f == nullptr) break;
      ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key_, *f));
      const ManifestFile file = f->Get();
      auto at = read.packed.Find(name);
      std::string problem =
          at ? PackedProblem(file, *at) : ObjectProblem(name, previous, file, report);
      if (!problem.empty()) AddDamage(file.sha256, problem, id);
      if (at && problem.empty() && ToRead(name, previous)) plan.Note(i, at->pack);
      previous = std::move(name);
    }
    return plan.Read(
        files, [&](const ManifestFileStore::File& f) { return SliceOf(key_, read.packed, f); },
        [&](const std::string& pack, std::vector<PackSlice>* slices) {
          TakeRepeats(slices);  // one object read once, however many paths it has
          (void)FetchPacked(target_, key_, pack, slices, &report->bytes_hashed);
          for (const PackSlice& slice : *slices) {
            ++report->objects_checked;
            if (!slice.result.ok()) AddDamage(slice.file.sha256, "damaged", id);
          }
          return Status::Ok();
        });
  }

  // Whether `name`, sound as far as listing shows, is to be read: in the
  // share asked for, and not read before in this check.
  bool ToRead(const std::string& name, const std::string& previous) {
    if (!InSubset(name, options_) || name == previous || read_.Contains(name)) return false;
    read_.Add(name);
    return true;
  }

  void AddDamage(const std::string& sha256, const std::string& problem, const std::string& id) {
    DamagedObject& d = damaged_[sha256];
    d.sha256 = sha256;
    d.problem = problem;
    if (d.snapshots.empty() || d.snapshots.back() != id) d.snapshots.push_back(id);
  }

  // As ObjectProblem for a packed file, without reading it: CheckPoint
  // reads the packs.
  std::string PackedProblem(const ManifestFile& file, const OffsitePackIndex::Location& at) {
    auto known = damaged_.find(file.sha256);
    if (known != damaged_.end()) return known->second.problem;
    auto it = pack_sizes_.find(std::string(at.pack));
    if (it == pack_sizes_.end()) return "missing";
    if (it->second < at.offset + EncryptedSize(file.size)) return "wrong size";
    return "";
  }

  // "" when the object is sound, as far as this check reads.
  std::string ObjectProblem(const std::string& name, const std::string& previous,
                            const ManifestFile& file, CheckReport* report) {
    auto known = damaged_.find(file.sha256);
    if (known != damaged_.end()) return known->second.problem;
    auto it = sizes_.find(name);
    if (it == sizes_.end()) return "missing";
    if (it->second != EncryptedSize(file.size)) return "wrong size";
    if (!ToRead(name, previous)) return "";
    ++report->objects_checked;
    Status s = FetchFile(target_, key_, name, file, nullptr, &report->bytes_hashed);
    return s.ok() ? "" : "damaged";
  }

  OffsiteTarget* target_;
  const OffsiteKey& key_;
  const CheckOptions& options_;
  const OffsiteScratch& scratch_;
  std::map<std::string, uint64_t> sizes_;
  std::map<std::string, uint64_t> pack_sizes_;
  std::map<std::string, DamagedObject> damaged_;
  ReadNames read_;
};

}  // namespace

Result<CheckReport> CheckTarget(OffsiteTarget* target, const OffsiteKey& key,
                                const CheckOptions& options, const OffsiteScratch& scratch) {
  CheckReport report;
  TargetChecker checker(target, key, options, scratch);
  ARKWIKI_RETURN_IF_ERROR(checker.Run(&report));
  return report;
}

}  // namespace arkwiki
