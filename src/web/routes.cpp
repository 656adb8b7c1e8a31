#include "routes.h"

#include "backup_service.h"
#include "backup_stream.h"
#include "handlers_api.h"
#include "handlers_api_admin.h"
#include "handlers_api_pages_more.h"
#include "handlers_assets.h"
#include "handlers_auth.h"
#include "handlers_backup.h"
#include "handlers_backup_journal.h"
#include "handlers_backup_policy.h"
#include "handlers_metrics.h"
#include "handlers_offsite.h"
#include "handlers_page_edit.h"
#include "handlers_page_history.h"
#include "handlers_page_manage.h"
#include "handlers_pages.h"
#include "handlers_preferences.h"
#include "handlers_restore.h"
#include "handlers_restore_api.h"
#include "handlers_restore_diff.h"
#include "handlers_restore_points.h"
#include "handlers_settings.h"
#include "handlers_setup.h"
#include "handlers_tokens_admin.h"
#include "handlers_trash_search.h"
#include "handlers_uploads.h"
#include "handlers_users_admin.h"

namespace arkwiki::web {

void RegisterRoutes(WikiApp& app) {
  using AppHandler = void (*)(WikiApp&, Exchange&);
  using BackupHandler = void (*)(BackupService&, const Renderer&, Exchange&);
  auto on = [&app](AppHandler f) -> Handler { return [&app, f](Exchange& ex) { f(app, ex); }; };
  auto backup = [&app](BackupHandler f) -> Handler {
    return [&app, f](Exchange& ex) { f(app.backup(), app.renderer(), ex); };
  };
  constexpr Access kAnyone = Access::kAnyone;
  constexpr Access kLoggedIn = Access::kLoggedIn;
  constexpr Access kEditor = Access::kEditor;
  constexpr Access kAdmin = Access::kAdmin;
  Router& r = app.router();

  // Login.
  r.Add("GET", "/login", kAnyone, [&app](Exchange& ex) { auth::ShowLogin(app, ex, 200, ""); });
  r.Add("POST", "/login", kAnyone, on(auth::PostLogin));
  r.Add("POST", "/logout", kLoggedIn, on(auth::PostLogout));
  // A wiki with no users restored from an off-site copy, with the setup
  // code (handlers_setup.h); 404 once the wiki has a user.
  r.Add("GET", "/setup", Access::kAnyoneDuringSetup, on(setup_pages::ShowForm));
  r.Add("POST", "/setup", Access::kAnyoneDuringSetup, on(setup_pages::Connect));
  r.Add("POST", "/setup/restore", Access::kAnyoneDuringSetup, on(setup_pages::Restore));

  // The pages JSON API.
  r.Add("GET", "/api/health", kAnyone, on(page_api::Health));
  // Admins, or the metrics_allow_address: the handler checks.
  r.Add("GET", "/metrics", kAnyone, on(metrics::Serve));
  r.Add("GET", "/api/pages", kAnyone, on(page_api::ListPages));
  r.Add("GET", "/api/pages/{slug}", kAnyone, on(page_api::GetPage));
  r.Add("PUT", "/api/pages/{slug}", kEditor, on(page_api::PutPage));
  r.Add("DELETE", "/api/pages/{slug}", kEditor, on(page_api::DeletePage));
  r.Add("GET", "/api/pages/{slug}/revisions", kAnyone, on(page_api::ListRevisions));
  r.Add("GET", "/api/pages/{slug}/revisions/{n}", kAnyone, on(page_api::GetRevision));
  r.Add("POST", "/api/pages/{slug}/revert", kEditor, on(page_api::Revert));
  r.Add("POST", "/api/pages/{slug}/rename", kEditor, on(page_api::Rename));
  r.Add("POST", "/api/pages/{slug}/move", kEditor, on(page_api::Move));
  r.Add("GET", "/api/trash", kEditor, on(page_api::ListTrash));
  r.Add("POST", "/api/trash/{slug}/restore", kEditor, on(page_api::RestoreFromTrash));
  r.Add("DELETE", "/api/trash/{slug}", kAdmin, on(page_api::Purge));
  r.Add("GET", "/api/search", kAnyone, on(page_api::Search));

  // The admin JSON API.
  r.Add("GET", "/api/settings", kAdmin, on(admin_api::GetSettings));
  r.Add("PUT", "/api/settings", kAdmin, on(admin_api::PutSettings));
  r.Add("GET", "/api/me", kLoggedIn, on(admin_api::GetMe));
  r.Add("GET", "/api/me/preferences", kLoggedIn, on(admin_api::GetPreferences));
  r.Add("PUT", "/api/me/preferences", kLoggedIn, on(admin_api::PutPreferences));
  r.Add("GET", "/api/users", kAdmin, on(admin_api::ListUsers));
  r.Add("POST", "/api/users", kAdmin, on(admin_api::CreateUser));
  r.Add("PUT", "/api/users/{name}", kAdmin, on(admin_api::UpdateUser));
  r.Add("POST", "/api/tokens", kAdmin, on(admin_api::CreateToken));
  r.Add("DELETE", "/api/tokens/{id}", kLoggedIn, on(admin_api::RevokeToken));
  r.Add("GET", "/api/audit", kAdmin, on(admin_api::ListAudit));

  // Wiki pages in the browser.
  r.Add("GET", "/", kAnyone, on(wiki_pages::Home));
  r.Add("GET", "/pages", kAnyone, on(wiki_pages::AllPages));
  r.Add("GET", "/new", kEditor, on(wiki_pages::NewPage));
  r.Add("GET", "/wiki/{slug}", kAnyone, on(wiki_pages::ViewPage));
  r.Add("GET", "/assets/{name}", kAnyone, on(assets::ServeAsset));
  r.Add("GET", "/wiki/{slug}/edit", kEditor, on(wiki_pages::EditGet));
  r.Add("POST", "/wiki/{slug}/edit", kEditor, on(wiki_pages::EditPost), kMaxPageFormBytes);
  r.Add("GET", "/wiki/{slug}/history", kAnyone, on(wiki_pages::History));
  r.Add("GET", "/wiki/{slug}/revisions/{n}", kAnyone, on(wiki_pages::ShowRevision));
  r.Add("GET", "/wiki/{slug}/diff", kAnyone, on(wiki_pages::Diff));
  r.Add("POST", "/wiki/{slug}/revert", kEditor, on(wiki_pages::Revert));
  r.Add("GET", "/wiki/{slug}/rename", kEditor, on(wiki_pages::RenameGet));
  r.Add("POST", "/wiki/{slug}/rename", kEditor, on(wiki_pages::RenamePost));
  r.Add("GET", "/wiki/{slug}/delete", kEditor, on(wiki_pages::DeleteGet));
  r.Add("POST", "/wiki/{slug}/delete", kEditor, on(wiki_pages::DeletePost));
  r.Add("POST", "/wiki/{slug}/order", kEditor, on(wiki_pages::OrderPost), kMaxOrderFormBytes);
  r.Add("GET", "/wiki/{slug}/move", kEditor, on(wiki_pages::MoveGet));
  r.Add("POST", "/wiki/{slug}/move", kEditor, on(wiki_pages::MovePost));
  r.Add("GET", "/trash", kEditor, on(trash_search::ShowTrash));
  r.Add("POST", "/trash/{slug}/restore", kEditor, on(trash_search::Restore));
  r.Add("POST", "/trash/{slug}/purge", kAdmin, on(trash_search::Purge));
  r.Add("GET", "/search", kAnyone, on(trash_search::Search));

  // Wiki attachments ("uploads").
  r.Add("POST", "/api/pages/{slug}/uploads", kEditor, on(uploads::ApiUpload));
  r.Add("GET", "/api/pages/{slug}/uploads", kAnyone, on(uploads::ApiListUploads));
  r.Add("DELETE", "/api/pages/{slug}/uploads/{name}", kEditor, on(uploads::ApiDeleteUpload));
  r.Add("POST", "/wiki/{slug}/uploads", kEditor, on(uploads::HtmlUpload));
  r.Add("POST", "/wiki/{slug}/uploads/{name}/delete", kEditor, on(uploads::HtmlDeleteUpload));
  r.Add("GET", "/files/{slug}/{name}", kAnyone, on(uploads::ServeFile));

  // Settings.
  r.Add("GET", "/settings", kAdmin, on(settings_pages::Overview));
  r.Add("GET", "/settings/system", kAdmin, on(settings_pages::SystemGet));
  r.Add("POST", "/settings/system", kAdmin, on(settings_pages::SystemPost));
  r.Add("GET", "/settings/audit", kAdmin, on(settings_pages::Audit));
  r.Add("GET", "/settings/users", kAdmin,
        [&app](Exchange& ex) { settings_pages::ShowUsers(app, ex, 200, ""); });
  r.Add("POST", "/settings/users", kAdmin, on(settings_pages::AddUser));
  r.Add("POST", "/settings/users/{name}/role", kAdmin, on(settings_pages::SetRole));
  r.Add("POST", "/settings/users/{name}/disable", kAdmin,
        [&app](Exchange& ex) { settings_pages::SetDisabled(app, ex, true); });
  r.Add("POST", "/settings/users/{name}/enable", kAdmin,
        [&app](Exchange& ex) { settings_pages::SetDisabled(app, ex, false); });
  r.Add("POST", "/settings/users/{name}/password", kAdmin, on(settings_pages::ResetPassword));
  r.Add("GET", "/settings/tokens", kAdmin,
        [&app](Exchange& ex) { settings_pages::ShowTokens(app, ex, 200, "", ""); });
  r.Add("POST", "/settings/tokens", kAdmin, on(settings_pages::CreateToken));
  r.Add("POST", "/settings/tokens/{id}/revoke", kAdmin, on(settings_pages::RevokeToken));
  r.Add("GET", "/preferences", kLoggedIn, on(settings_pages::PreferencesGet));
  r.Add("POST", "/preferences", kLoggedIn, on(settings_pages::PreferencesPost));

  // Backup and restore ("Import" to users): all through the BackupService.
  r.Add("GET", "/settings/backup", kAdmin, backup(backup_pages::Overview));
  r.Add("POST", "/settings/backup/create", kAdmin, backup(SendBackupDownload));
  r.Add("POST", "/api/backups", kAdmin, backup(SendBackupDownload));
  r.Add("POST", "/settings/backup/undo", kAdmin, backup(backup_pages::Undo));
  r.Add("POST", "/settings/backup/import", kAdmin, backup(restore_pages::ReceiveArchive));
  r.Add("GET", "/settings/backup/import/{id}", kAdmin, backup(restore_pages::Preview));
  r.Add("POST", "/settings/backup/import/{id}/confirm", kAdmin, backup(restore_pages::Confirm));
  r.Add("POST", "/settings/backup/import/{id}/cancel", kAdmin, backup(restore_pages::Cancel));
  r.Add("GET", "/settings/backup/import/{id}/progress", kAdmin, backup(restore_pages::Progress));
  r.Add("GET", "/settings/backup/import/{id}/result", kAdmin, backup(restore_pages::Outcome));
  r.Add("GET", "/settings/backup/import/{id}/difference", kAdmin,
        backup(restore_pages::DifferenceList));
  r.Add("POST", "/api/restore", kAdmin, backup(restore_api::Restore));
  r.Add("GET", "/api/restore/status", kAdmin, backup(restore_api::JobStatus));

  // Restore points (the repository on the server).
  r.Add("GET", "/api/restore-points", kAdmin, backup(restore_points::List));
  r.Add("POST", "/api/restore-points", kAdmin, backup(restore_points::Create));
  r.Add("GET", "/api/restore-points/{id}/archive", kAdmin, backup(SendPointDownload));
  r.Add("POST", "/api/restore-points/{id}/restore", kAdmin, backup(restore_points::Restore));
  r.Add("DELETE", "/api/restore-points/{id}", kAdmin, backup(restore_points::Delete));
  r.Add("POST", "/api/restore-points/{id}/check", kAdmin, backup(restore_points::Check));
  r.Add("POST", "/settings/backup/points", kAdmin, backup(restore_points::BackUpNowForm));
  r.Add("GET", "/api/backup-policy", kAdmin, backup(backup_policy::Get));
  r.Add("PUT", "/api/backup-policy", kAdmin, backup(backup_policy::Put));
  r.Add("POST", "/settings/backup/policy", kAdmin, backup(backup_policy::Form));
  r.Add("GET", "/settings/backup/points/{id}/archive", kAdmin, backup(SendPointDownload));
  r.Add("POST", "/settings/backup/points/{id}/restore", kAdmin,
        backup(restore_points::RestoreForm));
  r.Add("POST", "/settings/backup/points/{id}/check", kAdmin, backup(restore_points::CheckForm));
  r.Add("POST", "/settings/backup/points/{id}/delete", kAdmin, backup(restore_points::DeleteForm));
  r.Add("GET", "/api/backup-journal", kAdmin, backup(backup_journal::List));
  r.Add("POST", "/api/backup-test-restore", kAdmin, backup(backup_policy::TestRestoreNow));
  r.Add("POST", "/settings/backup/test-restore", kAdmin, backup(backup_policy::TestRestoreForm));
  r.Add("POST", "/api/backups/verify", kAdmin, backup(backup_pages::CheckArchive));

  // Off-site targets (copies of the restore points elsewhere).
  r.Add("GET", "/api/offsite/targets", kAdmin, backup(offsite::List));
  r.Add("POST", "/api/offsite/targets", kAdmin, backup(offsite::Add));
  r.Add("PUT", "/api/offsite/targets/{name}", kAdmin, backup(offsite::Edit));
  r.Add("DELETE", "/api/offsite/targets/{name}", kAdmin, backup(offsite::Remove));
  r.Add("POST", "/api/offsite/targets/{name}/test", kAdmin, backup(offsite::Test));
  r.Add("POST", "/api/offsite/copy", kAdmin, backup(offsite::CopyNow));
  r.Add("POST", "/settings/backup/offsite", kAdmin, backup(offsite::AddForm));
  r.Add("POST", "/settings/backup/offsite/copy", kAdmin, backup(offsite::CopyForm));
  r.Add("POST", "/settings/backup/offsite/{name}/delete", kAdmin, backup(offsite::RemoveForm));
  r.Add("POST", "/settings/backup/offsite/{name}/test", kAdmin, backup(offsite::TestForm));
}

}  // namespace arkwiki::web
