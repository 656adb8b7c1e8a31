// Settings › Users: add users, change roles, disable/enable, reset passwords.
#include "handlers_users_admin.h"

#include "app.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"
#include "audit_trail.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::settings_pages {
namespace {

TemplateValue RoleOptions(Role selected) {
  TemplateValue list = TemplateValue::List{};
  for (Role r : {Role::kReader, Role::kEditor, Role::kAdmin}) {
    list.Append(TemplateValue::MakeMap({{"value", RoleName(r)}, {"selected", r == selected}}));
  }
  return list;
}

TemplateValue UserRow(const User& u, const Exchange& ex) {
  const std::string base = "/settings/users/" + UrlEncodeComponent(u.name);
  return TemplateValue::MakeMap({{"name", u.name},
                                 {"role", RoleName(u.role)},
                                 {"roles", RoleOptions(u.role)},
                                 {"disabled", u.disabled},
                                 {"is_me", ex.user && ex.user->id == u.id},
                                 {"created", DateValue(u.created_at)},
                                 {"role_action", base + "/role"},
                                 {"disable_action", base + "/disable"},
                                 {"enable_action", base + "/enable"},
                                 {"password_action", base + "/password"}});
}

void RespondFailure(WikiApp& app, Exchange& ex, const Status& s) {
  if (HttpStatusFor(s) >= 500) return app.SendError(ex, s);
  ShowUsers(app, ex, HttpStatusFor(s), AsSentence(s.message()));
}

// Whether `target` is the only enabled admin, whom no one may demote or
// disable (the wiki would have no one left to administer it).
Result<bool> IsLastAdmin(WikiApp& app, const User& target) {
  if (target.role != Role::kAdmin || target.disabled) return false;
  auto users = app.storage().users().List();
  if (!users.ok()) return users.status();
  int admins = 0;
  for (const User& u : *users) admins += u.role == Role::kAdmin && !u.disabled;
  return admins <= 1;
}

// Loads {name} and refuses when the change would remove the last admin.
std::optional<User> TargetOrRespond(WikiApp& app, Exchange& ex, bool removes_admin) {
  auto user = app.storage().users().Get(ex.Param("name"));
  if (!user.ok()) {
    RespondFailure(app, ex, user.status());
    return std::nullopt;
  }
  if (!removes_admin) return std::move(user).value();
  auto last = IsLastAdmin(app, *user);
  if (!last.ok()) {
    RespondFailure(app, ex, last.status());
    return std::nullopt;
  }
  if (*last) {
    RespondFailure(app, ex,
                   Status::Conflict(user->name + " is the only enabled admin; make "
                                                 "another user an admin first"));
    return std::nullopt;
  }
  return std::move(user).value();
}

// Reauthentication (reauthentication.h) for a change that gives a user
// power, with the confirming admin's password from the form's
// current_password field; a refusal shows the Users page with its message.
bool Reauthenticated(WikiApp& app, Exchange& ex, std::string_view action) {
  int status = 403;
  const std::string refused =
      CheckReauthentication(app, ex, ex.Form("current_password"), action, &status);
  if (refused.empty()) return true;
  ShowUsers(app, ex, status, refused);
  return false;
}

}  // namespace

// Shows the Users page; `error` (plain text) explains a refused change.
void ShowUsers(WikiApp& app, Exchange& ex, int status, const std::string& error) {
  auto users = app.storage().users().List();
  if (!users.ok()) return app.SendError(ex, users.status());
  TemplateValue rows = TemplateValue::List{};
  for (const User& u : *users) rows.Append(UserRow(u, ex));
  auto parsed = ParseRole(ex.Form("role", "editor"));
  Role new_role = parsed.ok() ? *parsed : Role::kEditor;
  TemplateValue data = TemplateValue::MakeMap({{"users", std::move(rows)},
                                               {"error", error},
                                               {"new_name", ex.Form("name")},
                                               {"new_roles", RoleOptions(new_role)}});
  app.RenderPage(ex, status, "settings_users", "Users", std::move(data));
}

void AddUser(WikiApp& app, Exchange& ex) {
  const std::string name = ex.Form("name");
  auto role = ParseRole(ex.Form("role"));
  if (!role.ok()) return RespondFailure(app, ex, role.status());
  if (!Reauthenticated(app, ex, "Adding a user")) return;
  auto user = app.storage().users().Create(name, ex.Form("password"), *role);
  if (!user.ok()) return RespondFailure(app, ex, user.status());
  AuditOrWarn(app, ex, AuditKind::kUserCreate, "name=" + name + ", role=" + RoleName(*role));
  RedirectWithFlash(ex, "/settings/users", "User " + name + " added.");
}

void SetRole(WikiApp& app, Exchange& ex) {
  auto role = ParseRole(ex.Form("role"));
  if (!role.ok()) return RespondFailure(app, ex, role.status());
  auto user = TargetOrRespond(app, ex, *role != Role::kAdmin);
  if (!user) return;
  if (!Reauthenticated(app, ex, "Changing a role")) return;
  Status s = app.storage().users().SetRole(user->name, *role);
  if (!s.ok()) return RespondFailure(app, ex, s);
  AuditOrWarn(app, ex, AuditKind::kUserRole, "name=" + user->name + ", role=" + RoleName(*role));
  RedirectWithFlash(
      ex, "/settings/users",
      user->name + " is now " + (*role == Role::kAdmin ? "an " : "a ") + RoleName(*role) + ".");
}

void SetDisabled(WikiApp& app, Exchange& ex, bool disabled) {
  auto user = TargetOrRespond(app, ex, disabled);
  if (!user) return;
  // Disabling takes power away and needs no confirmation.
  if (!disabled && !Reauthenticated(app, ex, "Enabling a user")) return;
  Status s = app.storage().users().SetDisabled(user->name, disabled);
  if (!s.ok()) return RespondFailure(app, ex, s);
  AuditOrWarn(app, ex, disabled ? AuditKind::kUserDisable : AuditKind::kUserEnable,
              "name=" + user->name);
  RedirectWithFlash(ex, "/settings/users",
                    user->name + (disabled ? " is disabled and logged out." : " is enabled."));
}

void ResetPassword(WikiApp& app, Exchange& ex) {
  auto user = TargetOrRespond(app, ex, false);
  if (!user) return;
  if (!Reauthenticated(app, ex, "Setting a password")) return;
  Status s = app.storage().users().SetPassword(user->name, ex.Form("password"));
  if (!s.ok()) return RespondFailure(app, ex, s);
  AuditOrWarn(app, ex, AuditKind::kUserPassword, "name=" + user->name);
  RedirectWithFlash(ex, "/settings/users", "Password of " + user->name + " changed.");
}

}  // namespace arkwiki::web::settings_pages
