// /setup: on a wiki with no users, the first admin restores it from an
// off-site copy in the browser, with the one-time setup code that
// `arkwiki serve` prints (first_run_setup.h says why it is needed):
//   1. GET /setup: the form (setup code, the target, its passphrase);
//   2. POST /setup: checks the code (throttled like logins), opens and
//      unlocks the target and lists its restore points, newest first, with
//      what each holds; the admin picks one (the newest is chosen);
//   3. POST /setup/restore: restores it as `backup restore --from` does
//      (BackupService::RestoreFirstRun), then ends the setup code.
// Once the wiki has a user every /setup route answers 404. Secrets typed
// into the form are never shown back or logged. Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::setup_pages {

void ShowForm(WikiApp& app, Exchange& ex);
void Connect(WikiApp& app, Exchange& ex);
void Restore(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::setup_pages
