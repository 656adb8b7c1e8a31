// The HTTP server: `arkwiki serve`.
#pragma once

#include <string>

#include "arkwiki/core/config.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

struct ServeOptions {
  ServerConfig config;
  // When set, the bound port is written here once listening (for tests and
  // scripts that listen on port 0).
  std::string port_file;
};

// Takes the data-directory lock, finishes or rolls back an interrupted
// import, opens storage and serves until SIGTERM or SIGINT. On a signal it
// stops accepting, lets requests in flight finish (up to 30 s), then returns.
Status Serve(Env* env, const ServeOptions& options);

}  // namespace arkwiki
