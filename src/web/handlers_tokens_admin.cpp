// Settings › API tokens: create (shown once) and revoke.
#include "handlers_tokens_admin.h"

#include "app.h"
#include "arkwiki/core/log.h"
#include "audit_trail.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::settings_pages {

// Renders the tokens page. `new_token` is shown once, right after creation.
void ShowTokens(WikiApp& app, Exchange& ex, int status, const std::string& error,
                const std::string& new_token) {
  auto tokens = app.storage().users().ListApiTokens();
  if (!tokens.ok()) return app.SendError(ex, tokens.status());
  auto users = app.storage().users().List();
  if (!users.ok()) return app.SendError(ex, users.status());
  TemplateValue rows = TemplateValue::List{};
  for (const ApiToken& t : *tokens) {
    TemplateValue row = TemplateValue::MakeMap(
        {{"id", t.id},
         {"user", t.user_name},
         {"label", t.label},
         {"created", DateValue(t.created_at)},
         {"revoke_action", "/settings/tokens/" + std::to_string(t.id) + "/revoke"}});
    if (t.last_used_at) row.Set("last_used", DateValue(*t.last_used_at));
    rows.Append(std::move(row));
  }
  const std::string chosen = ex.Form("user", ActorName(ex));
  TemplateValue options = TemplateValue::List{};
  for (const User& u : *users) {
    if (u.disabled) continue;
    options.Append(TemplateValue::MakeMap(
        {{"name", u.name}, {"role", RoleName(u.role)}, {"selected", u.name == chosen}}));
  }
  TemplateValue data =
      TemplateValue::MakeMap({{"users", std::move(options)},
                              {"error", error},
                              {"new_token", new_token},
                              {"label", new_token.empty() ? ex.Form("label") : ""}});
  SetList(&data, "tokens", std::move(rows));
  app.RenderPage(ex, status, "settings_tokens", "API tokens", std::move(data));
}

void CreateToken(WikiApp& app, Exchange& ex) {
  const std::string name = ex.Form("user");
  const std::string label = ex.Form("label");
  if (label.empty() || label.size() > 200) {
    return ShowTokens(app, ex, 400,
                      "Give the token a label of 1 to 200 characters, such as "
                      "what will use it.",
                      "");
  }
  auto user = app.storage().users().Get(name);
  if (!user.ok()) return ShowTokens(app, ex, 400, "There is no user " + name + ".", "");
  // A token is exempt from reauthentication: a session must not make one
  // alone (reauthentication.h).
  int status = 403;
  if (const std::string refused = CheckReauthentication(app, ex, ex.Form("current_password"),
                                                        "Creating an API token", &status);
      !refused.empty()) {
    return ShowTokens(app, ex, status, refused, "");
  }
  auto token = app.storage().users().CreateApiToken(user->id, label);
  if (!token.ok()) {
    if (HttpStatusFor(token.status()) >= 500) return app.SendError(ex, token.status());
    return ShowTokens(app, ex, HttpStatusFor(token.status()), AsSentence(token.status().message()),
                      "");
  }
  AuditOrWarn(app, ex, AuditKind::kTokenCreate, "user=" + name + ", label=" + label);
  // Shown in this response only; it is stored hashed. No-store keeps it out
  // of caches.
  ex.response.set("Cache-Control", "no-store");
  ShowTokens(app, ex, 200, "", *token);
}

void RevokeToken(WikiApp& app, Exchange& ex) {
  auto id = ParseCount(ex.Param("id"));
  if (!id) return app.SendError(ex, Status::NotFound("no such token"));
  Status s = app.storage().users().RevokeApiToken(*id);
  if (!s.ok()) return app.SendError(ex, s);
  AuditOrWarn(app, ex, AuditKind::kTokenRevoke, "id=" + std::to_string(*id));
  RedirectWithFlash(ex, "/settings/tokens", "Token revoked.");
}

}  // namespace arkwiki::web::settings_pages
