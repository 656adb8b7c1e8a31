// JSON API: settings, preferences, users, tokens and the audit log.
#include "handlers_api_admin.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <optional>
#include <string>

#include "app.h"
#include "json_util.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::admin_api {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr MapToJson(const std::map<std::string, std::string>& values) {
  Object::Ptr o = new Object;
  for (const auto& [k, v] : values) o->set(k, v);
  return o;
}

Object::Ptr UserToJson(const User& u) {
  Object::Ptr o = new Object;
  o->set("name", u.name);
  o->set("role", std::string(RoleName(u.role)));
  o->set("disabled", u.disabled);
  o->set("created_at", u.created_at);
  return o;
}

std::string Describe(const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& [k, v] : values) {
    if (!out.empty()) out += ", ";
    out.append(k).append("=").append(SettingValueForLog(k, v));
  }
  return out;
}

// Every field is read and checked before any is applied, so a request with
// one bad field changes nothing. Only what differs from the stored user is
// applied; what can still fail then (the last enabled admin demoted or
// disabled) fails before anything else is changed, role first.
// `changed` names what was applied, for the audit entry, and `stored_name`
// is the user's name as stored.
Status ApplyUserChanges(WikiApp& app, const std::string& name, const Object::Ptr& body,
                        std::string* stored_name, std::string* changed) {
  auto& users = app.storage().users();
  ARKWIKI_ASSIGN_OR_RETURN(auto role_name, OptionalString(body, "role"));
  ARKWIKI_ASSIGN_OR_RETURN(auto password, OptionalString(body, "password"));
  std::optional<Role> role;
  if (role_name) {
    ARKWIKI_ASSIGN_OR_RETURN(role, ParseRole(*role_name));
  }
  std::optional<bool> disabled;
  if (body->has("disabled")) {
    Poco::Dynamic::Var v = body->get("disabled");
    if (v.type() != typeid(bool)) return Status::InvalidArgument("'disabled' must be a boolean");
    disabled = v.extract<bool>();
  }
  if (password) ARKWIKI_RETURN_IF_ERROR(ValidatePassword(*password));
  ARKWIKI_ASSIGN_OR_RETURN(User user, users.Get(name));
  *stored_name = user.name;
  if (role == user.role) role.reset();
  if (disabled == user.disabled) disabled.reset();
  auto note = [changed](const std::string& field) {
    *changed += (changed->empty() ? "" : ", ") + field;
  };
  if (role) {
    ARKWIKI_RETURN_IF_ERROR(users.SetRole(user.name, *role));
    note(std::string("role=") + RoleName(*role));
  }
  if (disabled) {
    ARKWIKI_RETURN_IF_ERROR(users.SetDisabled(user.name, *disabled));
    note(*disabled ? "disabled" : "enabled");
  }
  if (password) {
    ARKWIKI_RETURN_IF_ERROR(users.SetPassword(user.name, *password));
    note("password");
  }
  return Status::Ok();
}

}  // namespace

void GetSettings(WikiApp& app, Exchange& ex) {
  auto s = app.storage().settings().Load();
  if (!s.ok()) return app.SendError(ex, s.status());
  SendJson(ex, 200, MapToJson(SettingsToMap(*s)));
}

void PutSettings(WikiApp& app, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(app, ex, kSettingsAction)) return;
  auto body = ReadJsonObject(ex, 1 << 20);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto values = ObjectToStringMap(*body);
  if (!values.ok()) return app.SendError(ex, values.status());
  Status s = app.storage().settings().Update(*values);
  if (!s.ok()) return app.SendError(ex, s);
  s = app.storage().audit().Append(ex.user->name, AuditKind::kSettingsUpdate, Describe(*values));
  if (!s.ok()) return app.SendError(ex, s);
  GetSettings(app, ex);
}

void GetPreferences(WikiApp& app, Exchange& ex) {
  auto prefs = app.storage().users().GetPreferences(ex.user->id);
  if (!prefs.ok()) return app.SendError(ex, prefs.status());
  SendJson(ex, 200, MapToJson(*prefs));
}

void PutPreferences(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex, 64 << 10);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto values = ObjectToStringMap(*body);
  if (!values.ok()) return app.SendError(ex, values.status());
  Status s = app.storage().users().SetPreferences(ex.user->id, *values);
  if (!s.ok()) return app.SendError(ex, s);
  GetPreferences(app, ex);
}

void GetMe(WikiApp&, Exchange& ex) { SendJson(ex, 200, UserToJson(*ex.user)); }

void ListUsers(WikiApp& app, Exchange& ex) {
  auto users = app.storage().users().List();
  if (!users.ok()) return app.SendError(ex, users.status());
  Array::Ptr list = new Array;
  for (const User& u : *users) list->add(UserToJson(u));
  Object::Ptr body = new Object;
  body->set("users", list);
  SendJson(ex, 200, body);
}

void CreateUser(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex, 64 << 10);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto name = OptionalString(*body, "name");
  auto role = OptionalString(*body, "role");
  auto password = OptionalString(*body, "password");
  for (const auto* r : {&name, &role, &password}) {
    if (!r->ok()) return app.SendError(ex, r->status());
    if (!r->value()) {
      return app.SendError(ex,
                           Status::InvalidArgument("'name', 'role' and 'password' are required"));
    }
  }
  auto parsed_role = ParseRole(**role);
  if (!parsed_role.ok()) return app.SendError(ex, parsed_role.status());
  if (RefuseUnconfirmedApiCall(app, ex, "Adding a user")) return;
  auto user = app.storage().users().Create(**name, **password, *parsed_role);
  if (!user.ok()) return app.SendError(ex, user.status());
  Status s = app.storage().audit().Append(ex.user->name, AuditKind::kUserAdd,
                                          user->name + " as " + RoleName(user->role));
  if (!s.ok()) return app.SendError(ex, s);
  SendJson(ex, 201, UserToJson(*user));
}

void UpdateUser(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex, 64 << 10);
  if (!body.ok()) return app.SendError(ex, body.status());
  const std::string name = ex.Param("name");
  // Disabling alone takes power away and needs no confirmation.
  const bool only_disables = !(*body)->has("role") && !(*body)->has("password") &&
                             (*body)->has("disabled") && (*body)->get("disabled").isBoolean() &&
                             (*body)->getValue<bool>("disabled");
  if (!only_disables && RefuseUnconfirmedApiCall(app, ex, "Changing a user")) return;
  std::string stored_name = name;
  std::string changed;
  const Status applied = ApplyUserChanges(app, name, *body, &stored_name, &changed);
  // A change applied before a later one failed is still recorded.
  if (!changed.empty()) {
    Status s = app.storage().audit().Append(ex.user->name, AuditKind::kUserUpdate,
                                            stored_name + ": " + changed);
    if (!s.ok()) return app.SendError(ex, s);
  }
  if (!applied.ok()) return app.SendError(ex, applied);
  auto user = app.storage().users().Get(stored_name);
  if (!user.ok()) return app.SendError(ex, user.status());
  SendJson(ex, 200, UserToJson(*user));
}

void CreateToken(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex, 64 << 10);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto name = OptionalString(*body, "user");
  auto label = OptionalString(*body, "label");
  if (!name.ok() || !*name) return app.SendError(ex, Status::InvalidArgument("'user' is required"));
  if (!label.ok()) return app.SendError(ex, label.status());
  auto user = app.storage().users().Get(**name);
  if (!user.ok()) return app.SendError(ex, user.status());
  if (RefuseUnconfirmedApiCall(app, ex, "Creating an API token")) return;
  auto token = app.storage().users().CreateApiToken(user->id, label->value_or("api"));
  if (!token.ok()) return app.SendError(ex, token.status());
  Status s = app.storage().audit().Append(ex.user->name, AuditKind::kTokenCreate, user->name);
  if (!s.ok()) return app.SendError(ex, s);
  Object::Ptr o = new Object;
  o->set("user", user->name);
  o->set("token", *token);
  SendJson(ex, 201, o);
}

// DELETE /api/tokens/{id}: the token's owner or an admin revokes it. 404
// for an unknown id (or one that is not a number), 403 for another user's
// token unless an admin asks.
void RevokeToken(WikiApp& app, Exchange& ex) {
  const std::optional<int64_t> id = ParseCount(ex.Param("id"));
  if (!id) return app.SendError(ex, Status::NotFound("no API token '" + ex.Param("id") + "'"));
  auto token = app.storage().users().GetApiToken(*id);
  if (!token.ok()) return app.SendError(ex, token.status());
  if (ex.user->role != Role::kAdmin && token->user_name != ex.user->name) {
    return app.SendError(ex, Status::Forbidden("only the token's owner or an admin may revoke it"));
  }
  Status s = app.storage().users().RevokeApiToken(*id);
  if (!s.ok()) return app.SendError(ex, s);
  s = app.storage().audit().Append(ex.user->name, AuditKind::kTokenRevoke,
                                   "id=" + std::to_string(*id) + ", user=" + token->user_name);
  if (!s.ok()) return app.SendError(ex, s);
  Object::Ptr o = new Object;
  o->set("id", *id);
  o->set("user", token->user_name);
  o->set("revoked", true);
  SendJson(ex, 200, o);
}

void ListAudit(WikiApp& app, Exchange& ex) {
  int64_t limit = std::clamp<int64_t>(std::atoll(ex.Query("limit", "100").c_str()), 1, 1000);
  int64_t offset = std::max<int64_t>(std::atoll(ex.Query("offset", "0").c_str()), 0);
  auto entries = app.storage().audit().List(limit, offset);
  if (!entries.ok()) return app.SendError(ex, entries.status());
  Array::Ptr list = new Array;
  for (const AuditEntry& e : *entries) {
    Object::Ptr o = new Object;
    o->set("id", e.id);
    o->set("at", e.at);
    o->set("actor", e.actor);
    o->set("action", e.action);
    o->set("detail", e.detail);
    list->add(o);
  }
  Object::Ptr body = new Object;
  body->set("entries", list);
  SendJson(ex, 200, body);
}

}  // namespace arkwiki::web::admin_api
