// HashSet64: a set of 64-bit hashes in ~8-16 bytes each (private to the
// backup layer).
//
// Why not std::unordered_set<uint64_t>: a node and a bucket per element,
// ~40 bytes each, which for the 200,000 names of a large backup is 8 MB of
// a create's memory. Here the elements sit in one sorted vector plus a
// short unsorted tail that is merged in when full: lookups are a binary
// search and a scan of at most kTail values; inserts cost O(n / kTail)
// amortised, a few million moves for 200,000 names.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace arkwiki::zip {

class HashSet64 {
 public:
  static constexpr size_t kTail = 1024;

  bool Contains(uint64_t h) const {
    return std::binary_search(sorted_.begin(), sorted_.end(), h) ||
           std::find(tail_.begin(), tail_.end(), h) != tail_.end();
  }
  // Duplicates are allowed (they are kept twice); callers check first.
  void Insert(uint64_t h) {
    tail_.push_back(h);
    if (tail_.size() < kTail) return;
    std::sort(tail_.begin(), tail_.end());
    const auto middle = static_cast<std::ptrdiff_t>(sorted_.size());
    sorted_.insert(sorted_.end(), tail_.begin(), tail_.end());
    std::inplace_merge(sorted_.begin(), sorted_.begin() + middle, sorted_.end());
    tail_.clear();
  }

 private:
  std::vector<uint64_t> sorted_;
  std::vector<uint64_t> tail_;
};

}  // namespace arkwiki::zip
