#include "offsite/offsite_fetch.h"

#include <algorithm>
#include <memory>

#include "offsite/hashing_tee.h"
#include "offsite/offsite_record.h"

namespace arkwiki {
namespace {

// Routes the bytes of a pack into the decryption of each slice in turn.
class PackSlicer : public ByteSink {
 public:
  PackSlicer(const OffsiteKey& key, std::vector<PackSlice>* slices, uint64_t* plain_bytes)
      : key_(key), slices_(*slices), plain_bytes_(plain_bytes) {}

  Status Write(std::string_view data) override {
    while (!data.empty()) {
      if (next_ == slices_.size()) break;  // the rest of the pack is not needed
      PackSlice& slice = slices_[next_];
      const uint64_t end = slice.offset + EncryptedSize(slice.file.size);
      if (pos_ < slice.offset) {
        const size_t skip =
            static_cast<size_t>(std::min<uint64_t>(data.size(), slice.offset - pos_));
        Advance(&data, skip);
        continue;
      }
      if (!decrypt_) Begin(slice);
      const size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), end - pos_));
      if (slice.result.ok()) slice.result = decrypt_->Write(data.substr(0, n));
      Advance(&data, n);
      if (pos_ == end) End(slice);
    }
    pos_ += data.size();
    return Status::Ok();
  }

  // Slices the pack ended before.
  void Finish() {
    for (; next_ < slices_.size(); ++next_) {
      if (slices_[next_].result.ok()) {
        slices_[next_].result = Status::Corruption("the pack ends before it");
      }
    }
  }

 private:
  void Advance(std::string_view* data, size_t n) {
    data->remove_prefix(n);
    pos_ += n;
  }
  void Begin(const PackSlice& slice) {
    tee_ = std::make_unique<HashingTee>(slice.out);
    decrypt_ = std::make_unique<DecryptingSink>(key_, ObjectKey(slice.name), tee_.get());
  }
  void End(PackSlice& slice) {
    if (slice.result.ok()) slice.result = decrypt_->Finish();
    if (slice.done) {
      Status done = slice.done();
      if (slice.result.ok()) slice.result = done;
    }
    if (plain_bytes_) *plain_bytes_ += tee_->bytes();
    if (slice.result.ok() &&
        (tee_->bytes() != slice.file.size || tee_->FinishHex() != slice.file.sha256)) {
      slice.result = Status::Corruption("decrypted, but its content is not what the record names");
    }
    decrypt_.reset();
    tee_.reset();
    ++next_;
  }

  const OffsiteKey& key_;
  std::vector<PackSlice>& slices_;
  uint64_t* plain_bytes_;
  size_t next_ = 0;
  uint64_t pos_ = 0;
  std::unique_ptr<HashingTee> tee_;
  std::unique_ptr<DecryptingSink> decrypt_;
};

}  // namespace

Status FetchPacked(OffsiteTarget* target, const OffsiteKey& key, const std::string& pack,
                   std::vector<PackSlice>* slices, uint64_t* plain_bytes) {
  auto fail_all = [&](Status s) {
    for (PackSlice& slice : *slices) {
      slice.result = Status(s.code(), slice.file.path + ": " + s.message());
    }
    return s;
  };
  if (slices->empty()) return Status::Ok();
  uint64_t end = 0;
  for (const PackSlice& slice : *slices) {
    if (slice.offset < end) {
      return fail_all(Status::Corruption("the record places two files at once in off-site pack " +
                                         PackKey(pack)));
    }
    end = slice.offset + EncryptedSize(slice.file.size);
  }
  Result<uint64_t> size = target->Stat(PackKey(pack));
  if (!size.ok()) {
    return fail_all(size.status().code() == StatusCode::kNotFound
                        ? Status::NotFound("off-site pack " + PackKey(pack) + " is missing")
                        : size.status());
  }
  if (*size > kMaxPackBytes || *size < end) {
    return fail_all(Status::Corruption("off-site pack " + PackKey(pack) + " is " +
                                       std::to_string(*size) + " bytes, not what the record says"));
  }
  PackSlicer slicer(key, slices, plain_bytes);
  Status s = target->Get(PackKey(pack), *size, &slicer);
  if (!s.ok()) return fail_all(s);
  slicer.Finish();
  for (PackSlice& slice : *slices) {
    if (!slice.result.ok()) {
      slice.result = Status(slice.result.code(), slice.file.path + ": off-site object " +
                                                     slice.name + " in pack " + PackKey(pack) +
                                                     ": " + slice.result.message());
    }
  }
  return Status::Ok();
}

Status FetchFile(OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, ByteSink* out, uint64_t* plain_bytes) {
  HashingTee tee(out);
  DecryptingSink decrypt(key, ObjectKey(name), &tee);
  // The record says how long the object is: a target that sends more is
  // stopped at that size, before the excess reaches the disk.
  Status s = target->Get(ObjectKey(name), EncryptedSize(file.size), &decrypt);
  if (s.ok()) s = decrypt.Finish();
  if (plain_bytes) *plain_bytes += tee.bytes();
  if (!s.ok()) return s.WithContext(file.path);
  if (tee.bytes() != file.size || tee.FinishHex() != file.sha256) {
    return Status::Corruption(file.path + ": off-site object " + ObjectKey(name) +
                              " decrypted, but its content is not what the record names");
  }
  return Status::Ok();
}

std::vector<PackSlice> TakeRepeats(std::vector<PackSlice>* slices) {
  std::vector<PackSlice> kept;
  std::vector<PackSlice> repeats;
  for (PackSlice& slice : *slices) {
    const bool repeat =
        !kept.empty() && kept.back().offset == slice.offset && kept.back().name == slice.name;
    (repeat ? repeats : kept).push_back(std::move(slice));
  }
  *slices = std::move(kept);
  return repeats;
}

Status PackedBatch::Flush() {
  auto batch = std::move(by_pack_);
  by_pack_.clear();
  for (auto& [pack, slices] : batch) {
    std::stable_sort(slices.begin(), slices.end(),
                     [](const PackSlice& a, const PackSlice& b) { return a.offset < b.offset; });
    ARKWIKI_RETURN_IF_ERROR(read_pack_(pack, &slices));
  }
  return Status::Ok();
}

Result<PackSlice> SliceOf(const OffsiteKey& key, const OffsitePackIndex& packed,
                          const ManifestFileStore::File& file) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, file));
  const auto at = packed.Find(name);
  if (!at) return Status::Corruption("the record's pack index no longer lists " + name);
  return PackSlice{std::move(name), file.Get(), at->offset, nullptr, Status::Ok(), {}};
}

PackedReadPlan PackedReadPlan::ForFiles(size_t files) {
  PackedReadPlan plan(std::max(kBatchFiles, files / 128));
  plan.pack_of_.reserve(files);
  return plan;
}

void PackedReadPlan::Note(size_t i, std::string_view pack) {
  auto it = numbers_.find(pack);
  if (it == numbers_.end()) {
    it = numbers_.emplace(std::string(pack), static_cast<uint32_t>(counts_.size())).first;
    counts_.push_back(0);
  }
  if (pack_of_.size() <= i) pack_of_.resize(i + 1, kNotNoted);
  pack_of_[i] = it->second;
  ++counts_[it->second];
  ++noted_;
}

Status PackedReadPlan::Read(const ManifestFileStore& files, const MakeSlice& make_slice,
                            const PackedBatch::ReadPack& read_pack) const {
  // Packs into groups, in the order they were first noted.
  std::vector<uint32_t> group_of(counts_.size());
  uint32_t groups = 0;
  size_t in_group = 0;
  for (size_t pack = 0; pack < counts_.size(); ++pack) {
    if (in_group > 0 && in_group + counts_[pack] > batch_files_) {
      ++groups;
      in_group = 0;
    }
    group_of[pack] = groups;
    in_group += counts_[pack];
  }
  if (in_group > 0) ++groups;
  std::vector<std::string> names(counts_.size());
  for (const auto& [name, number] : numbers_) names[number] = name;
  for (uint32_t group = 0; group < groups; ++group) {
    PackedBatch batch(read_pack);
    ManifestFileStore::Cursor cursor = files.Walk();
    for (size_t i = 0; i < pack_of_.size(); ++i) {
      ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
      if (f == nullptr)
        return Status::IoError("the file list ended before its file " + std::to_string(i));
      const uint32_t pack = pack_of_[i];
      if (pack == kNotNoted || group_of[pack] != group) continue;
      ARKWIKI_ASSIGN_OR_RETURN(PackSlice slice, make_slice(*f));
      batch.Add(names[pack], std::move(slice));
    }
    ARKWIKI_RETURN_IF_ERROR(batch.Flush());
  }
  return Status::Ok();
}

}  // namespace arkwiki
