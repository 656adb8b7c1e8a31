#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"

namespace arkwiki::cli {

int CmdRestore(const Args&) {
  std::fprintf(stderr, "arkwiki: error: restore is not built yet\n");
  return 1;
}

}  // namespace arkwiki::cli
