#include "policy/read_subset.h"

namespace arkwiki {
namespace {

// SplitMix64: spreads a hash and a seed into a well-mixed number.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

bool InReadSubset(uint64_t hash_head, const CheckOptions& options) {
  if (options.read_percent >= 100) return true;
  if (options.read_percent <= 0) return false;
  return static_cast<double>(Mix(hash_head ^ Mix(options.subset_seed)) % 10000) <
         options.read_percent * 100;
}

}  // namespace arkwiki
