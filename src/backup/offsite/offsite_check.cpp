// Checking a target (arkwiki/backup/offsite.h).
#include <algorithm>
#include <charconv>
#include <map>
#include <set>
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

class TargetChecker {
 public:
  TargetChecker(OffsiteTarget* target, const OffsiteKey& key, const CheckOptions& options)
      : target_(target), key_(key), options_(options) {}

  Status Run(CheckReport* report) {
    ARKWIKI_ASSIGN_OR_RETURN(sizes_, ListSizes(target_, kObjectsPrefix));
    ARKWIKI_ASSIGN_OR_RETURN(pack_sizes_, ListSizes(target_, kPacksPrefix));
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target_));
    for (const std::string& id : ids) {
      ++report->snapshots_checked;
      Status s = CheckPoint(id, report);
      if (!s.ok()) report->snapshot_problems.push_back(id + ": " + s.message());
    }
    for (auto& [sha, damaged] : damaged_) report->damaged.push_back(std::move(damaged));
    return Status::Ok();
  }

 private:
  Status CheckPoint(const std::string& id, CheckReport* report) {
    ARKWIKI_ASSIGN_OR_RETURN(OffsiteRecord record, ReadRecord(target_, key_, id));
    ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest, ParseManifest(record.manifest_text));
    // Packed files to read, by pack: (offset, index into the manifest).
    std::map<std::string, std::vector<std::pair<uint64_t, size_t>>> to_read;
    for (size_t i = 0; i < manifest.files.size(); ++i) {
      ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key_, manifest.files, i));
      const ManifestFile file = manifest.files[i];
      auto at = record.packed.Find(name);
      std::string problem = at ? PackedProblem(file, *at) : ObjectProblem(name, file, report);
      if (!problem.empty()) AddDamage(file.sha256, problem, id);
      if (at && problem.empty() && InSubset(name, options_) && read_.insert(name).second) {
        to_read[std::string(at->pack)].emplace_back(at->offset, i);
      }
    }
    // Each pack is read once for the files of this restore point in it.
    for (auto& [pack, entries] : to_read) {
      std::sort(entries.begin(), entries.end());
      std::vector<PackSlice> slices;
      for (const auto& [offset, i] : entries) {
        ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key_, manifest.files, i));
        slices.push_back({std::move(name), manifest.files[i], offset, nullptr, Status::Ok()});
      }
      (void)FetchPacked(target_, key_, pack, &slices, &report->bytes_hashed);
      for (const PackSlice& slice : slices) {
        ++report->objects_checked;
        if (!slice.result.ok()) AddDamage(slice.file.sha256, "damaged", id);
      }
    }
    return Status::Ok();
  }

  void AddDamage(const std::string& sha256, const std::string& problem, const std::string& id) {
    DamagedObject& d = damaged_[sha256];
    d.sha256 = sha256;
    d.problem = problem;
    d.snapshots.push_back(id);
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
  std::string ObjectProblem(const std::string& name, const ManifestFile& file,
                            CheckReport* report) {
    auto known = damaged_.find(file.sha256);
    if (known != damaged_.end()) return known->second.problem;
    auto it = sizes_.find(name);
    if (it == sizes_.end()) return "missing";
    if (it->second != EncryptedSize(file.size)) return "wrong size";
    if (!InSubset(name, options_) || !read_.insert(name).second) return "";
    ++report->objects_checked;
    Status s = FetchFile(target_, key_, name, file, nullptr, &report->bytes_hashed);
    return s.ok() ? "" : "damaged";
  }

  OffsiteTarget* target_;
  const OffsiteKey& key_;
  const CheckOptions& options_;
  std::map<std::string, uint64_t> sizes_;
  std::map<std::string, uint64_t> pack_sizes_;
  std::map<std::string, DamagedObject> damaged_;
  std::set<std::string> read_;
};

}  // namespace

Result<CheckReport> CheckTarget(OffsiteTarget* target, const OffsiteKey& key,
                                const CheckOptions& options) {
  CheckReport report;
  TargetChecker checker(target, key, options);
  ARKWIKI_RETURN_IF_ERROR(checker.Run(&report));
  return report;
}

}  // namespace arkwiki
