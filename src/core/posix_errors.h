// Maps errno to a Status whose code names the kind of failure.
#pragma once

#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

Status PosixError(const std::string& context, int err);

}  // namespace arkwiki
