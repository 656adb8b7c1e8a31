#include <cstdio>

#include "cli/commands.h"

namespace arkwiki::cli {

int CmdBackup(const Argv&) {
  std::fprintf(stderr, "arkwiki: error: backup commands are not built yet\n");
  return 1;
}

}  // namespace arkwiki::cli
