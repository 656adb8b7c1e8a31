// Free-space checks before writing something large.
#pragma once

#include <cstdint>
#include <string>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// NoSpace naming the directory, the purpose, the bytes needed and the bytes
// free, when `dir` has less than needed_bytes available; an Env error when
// the free space cannot be read.
Status CheckFreeSpace(Env* env, const std::string& dir, uint64_t needed_bytes,
                      const std::string& purpose);

}  // namespace arkwiki
