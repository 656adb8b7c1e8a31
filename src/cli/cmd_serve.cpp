#include <cstdio>

#include "arkwiki/core/config.h"
#include "arkwiki/web/server.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace arkwiki::cli {
namespace {

const char kHelp[] =
    "usage: arkwiki serve [--data DIR] [--listen HOST:PORT] [--config FILE]\n"
    "                     [--port-file FILE]\n"
    "\n"
    "Serves the wiki until SIGTERM or SIGINT, then finishes requests in flight.\n"
    "Settings come from, highest first: these flags; ARKWIKI_DATA and\n"
    "ARKWIKI_LISTEN; the config file (--config, $ARKWIKI_CONFIG, or\n"
    "/etc/arkwiki/arkwiki.conf); defaults ./arkwiki-data and 127.0.0.1:8080.\n"
    "--port-file writes the bound port (useful with --listen 127.0.0.1:0).\n";

}  // namespace

int CmdServe(const Argv& argv) {
  auto args = ParseArgs(argv, {{"data", "listen", "config", "port-file"}, {}});
  if (!args.ok()) return UsageError(args.status().message(), kHelp);
  if (args->Has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!args->positional.empty()) return UsageError("unexpected argument", kHelp);
  ConfigSources sources;
  sources.flag_data = args->Get("data");
  sources.flag_listen = args->Get("listen");
  sources.flag_config_file = args->Get("config");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) return ReportError(config.status());
  ServeOptions options;
  options.config = *config;
  options.port_file = args->Get("port-file").value_or("");
  Status s = Serve(Env::Default(), options);
  return s.ok() ? 0 : ReportError(s);
}

}  // namespace arkwiki::cli
