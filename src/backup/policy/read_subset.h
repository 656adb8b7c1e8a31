// Which stored objects a `check --read-subset PCT` re-reads, for the local
// repository and for off-site targets alike.
#pragma once

#include <cstdint>

#include "arkwiki/backup/repository.h"

namespace arkwiki {

// Whether `options` asks for the object whose hash begins with the 64 bits
// `hash_head` to be re-read: all at 100 percent, none at 0, otherwise a
// share chosen by the hash and options.subset_seed (the same seed picks the
// same objects, another seed others).
bool InReadSubset(uint64_t hash_head, const CheckOptions& options);

}  // namespace arkwiki
