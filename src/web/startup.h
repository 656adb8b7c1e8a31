// Server start-up steps: recovery, cleanup, first-run hints.
#pragma once

#include <memory>

#include "arkwiki/storage/storage.h"
#include "arkwiki/web/server.h"

namespace arkwiki::web {

class WikiApp;

// With the data-directory lock held: finishes or rolls back an interrupted
// import (Restorer::Recover, which also empties staging/), empties tmp/,
// opens storage and collects unreferenced upload files.
Result<std::unique_ptr<Storage>> OpenForServing(Env* env, const DataDirLayout& layout);
// Prints the URL (and how to create the first admin when there is none:
// `user add`, or /setup with a new setup code, which it makes), ends a
// setup code left from an earlier start when the wiki has users, and
// writes the port file if asked.
Status AnnounceListening(Env* env, WikiApp& app, const ServeOptions& options, int port);

}  // namespace arkwiki::web
