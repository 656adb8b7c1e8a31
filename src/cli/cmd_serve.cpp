#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "args.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/config.h"
#include "arkwiki/web/server.h"
#include "commands.h"

namespace arkwiki::cli {
namespace {

const char kServeHelp[] =
    "usage: arkwiki serve [--data DIR] [--listen HOST:PORT] [--config FILE]\n"
    "                     [--port-file FILE] [--backup-dir DIR]\n"
    "\n"
    "Serves the wiki until SIGTERM or SIGINT, then finishes requests in flight.\n"
    "Settings come from, highest first: these flags; ARKWIKI_DATA and\n"
    "ARKWIKI_LISTEN; the config file (--config, $ARKWIKI_CONFIG, or\n"
    "/etc/arkwiki/arkwiki.conf); defaults ./arkwiki-data and 127.0.0.1:8080.\n"
    "--port-file writes the bound port (useful with --listen 127.0.0.1:0).\n"
    "--backup-dir (or ARKWIKI_BACKUP_DIR, or the config key backup_dir) puts the\n"
    "repository of restore points elsewhere than DIR/backups.\n";

}  // namespace

int CmdServe(const Argv& argv) {
  auto args = ParseArgs(argv, {{"data", "listen", "config", "port-file", "backup-dir"}, {}});
  if (!args.ok()) return UsageError(args.status().message(), kServeHelp);
  if (args->Has("help")) {
    std::fputs(kServeHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return kExitOk;
  }
  if (!args->positional.empty()) return UsageError("unexpected argument", kServeHelp);
  ConfigSources sources;
  sources.flag_data = args->Get("data");
  sources.flag_listen = args->Get("listen");
  sources.flag_config_file = args->Get("config");
  sources.flag_backup_dir = args->Get("backup-dir");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) return ReportError(config.status());
  // One malloc arena for the whole server, unless MALLOC_ARENA_MAX says
  // otherwise (or GLIBC_TUNABLES' glibc.malloc.arena_max). glibc gives threads arenas of their own,
  // and memory freed into one is not reused by threads allocating from another: three downloads of
  // a 20,000-file backup peaked at 47, 52, then 59 MiB of RSS with per-thread arenas, at 42-48 MiB
  // with one, in the same time (benchmarks/README.md). The server waits on disks and sockets;
  // glibc's per-thread caches keep small allocations off the arena's lock.
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr &&
      (tunables == nullptr || std::strstr(tunables, "malloc.arena_max") == nullptr)) {
    (void)mallopt(M_ARENA_MAX, 1);
  }
  ServeOptions options;
  options.config = *config;
  options.port_file = args->Get("port-file").value_or("");
  Status s = Serve(Env::Default(), options);
  return s.ok() ? 0 : ReportError(s);
}

}  // namespace arkwiki::cli
