#include "arkwiki/core/free_space.h"

#include <cstdio>

namespace arkwiki {
namespace {

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  auto v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace

Status CheckFreeSpace(Env* env, const std::string& dir, uint64_t needed,
                      const std::string& purpose) {
  ARKWIKI_ASSIGN_OR_RETURN(SpaceInfo space, env->GetSpaceInfo(dir));
  if (space.available_bytes >= needed) return Status::Ok();
  return Status::NoSpace("not enough free space in " + dir + " for " + purpose + ": needs " +
                         HumanBytes(needed) + ", has " + HumanBytes(space.available_bytes) +
                         " free");
}

}  // namespace arkwiki
