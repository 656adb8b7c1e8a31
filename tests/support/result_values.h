// Values of Results in assertions: a failed Result shows as a value no
// successful one has, so EXPECT_EQ prints it instead of crashing on *r.
#pragma once

#include <cstdint>

#include "arkwiki/core/status.h"

namespace arkwiki {

inline int64_t IntOrMinusOne(const Result<int64_t>& r) { return r.ok() ? *r : -1; }

}  // namespace arkwiki
