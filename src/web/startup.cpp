#include "startup.h"

#include <cstdio>

#include "app.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/password_hash.h"

namespace arkwiki::web {
namespace {

// Their logins are refused rather than run at costs arkwiki did not choose.
void WarnAboutForeignPasswordHashes(Db& db) {
  auto names = UsersNeedingPasswordReset(db);
  if (!names.ok()) {
    LogWarning("checking the stored password hashes failed: " + names.status().ToString());
    return;
  }
  for (const std::string& name : *names) {
    std::string message = "user '" + name + "'";
    message += " has a password hash arkwiki never writes and cannot log in until the password ";
    message += "is reset (Settings > Users, or arkwiki user passwd --name " + name + ")";
    LogWarning(message);
  }
}

// While the wiki has no users: a new setup code for /setup (first_run_setup.h).
void AnnounceSetupCode(WikiApp& app, const std::string& url) {
  auto code = app.setup().Begin();
  if (!code.ok()) {
    LogWarning("no setup code, so /setup is off: " + code.status().ToString());
    return;
  }
  std::fprintf(
      stderr,
      "Or restore this wiki from an off-site copy in a browser: %ssetup, with the setup code\n"
      "  %s\n"
      "(also in %s until the wiki has a user)\n",
      url.c_str(), code->c_str(), app.layout().setup_code.c_str());
}

// A code file left from an earlier start ends once the wiki has a user.
void EndSetupCode(WikiApp& app) {
  Status ended = app.setup().End();
  if (!ended.ok()) LogWarning("could not remove the setup code: " + ended.ToString());
}

}  // namespace

Result<std::unique_ptr<Storage>> OpenForServing(Env* env, const DataDirLayout& layout) {
  // An import interrupted by a crash is finished or rolled back first.
  // It also empties tmp/ and staging/.
  ARKWIKI_RETURN_IF_ERROR(Restorer(env, layout).Recover());
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(env, layout.root));
  Status expired = storage->users().DeleteExpiredSessions();
  if (!expired.ok()) LogWarning("could not delete ended sessions: " + expired.ToString());
  auto collected = storage->uploads().CollectGarbage();
  if (!collected.ok()) {
    LogWarning("upload garbage collection failed: " + collected.status().ToString());
  } else if (*collected > 0) {
    LogInfo("removed " + std::to_string(*collected) + " unreferenced upload files");
  }
  WarnAboutForeignPasswordHashes(storage->db());
  return storage;
}

Status AnnounceListening(Env* env, WikiApp& app, const ServeOptions& options, int port) {
  std::string host;
  int ignored = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseListenAddress(options.config.listen, &host, &ignored));
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  const std::string url = "http://" + host + ":" + std::to_string(port) + "/";
  std::fprintf(stderr, "arkwiki %s serving %s on %s\n", ARKWIKI_VERSION,
               options.config.data_dir.c_str(), url.c_str());
  auto users = app.storage().users().Count();
  if (users.ok() && *users == 0) {
    std::fprintf(stderr,
                 "No users yet. Create the first admin with:\n"
                 "  echo 'a-long-password' | arkwiki user add --data %s --name admin "
                 "--role admin --password-stdin\n",
                 options.config.data_dir.c_str());
    AnnounceSetupCode(app, url);
  } else if (users.ok()) {
    EndSetupCode(app);
  }
  std::fflush(stderr);
  if (!options.port_file.empty()) {
    ARKWIKI_RETURN_IF_ERROR(
        WriteFileAtomically(env, options.port_file, std::to_string(port) + "\n"));
  }
  return Status::Ok();
}

}  // namespace arkwiki::web
