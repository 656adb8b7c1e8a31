// Login sessions, API tokens and preferences (the rest of UserStore).
#include <algorithm>
#include <set>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/user_store.h"
#include "row_check_util.h"

namespace arkwiki {
namespace {

const char kJoinedUser[] = "u.id, u.name, u.role, u.disabled, u.created_at";

User UserAt(const SqlRow& r, size_t o) {
  User u;
  u.id = r.Int(o);
  u.name = r.Text(o + 1);
  u.role = ParseRole(r.Text(o + 2)).value();
  u.disabled = r.Int(o + 3) != 0;
  u.created_at = r.Int(o + 4);
  return u;
}

bool IsValidTimezone(const std::string& tz) {
  if (tz.empty() || tz.size() > 64) return false;
  for (char c : tz) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  return tz.find("..") == std::string::npos;
}

}  // namespace

Result<LoginSession> UserStore::CreateSession(int64_t user_id, int64_t ttl_seconds) {
  LoginSession session;
  session.token = RandomHex(32);
  session.csrf = RandomHex(32);
  int64_t now = NowUnixSeconds();
  session.created_at = now;
  session.expires_at = now + std::min(ttl_seconds, policy_.idle_seconds);
  ARKWIKI_RETURN_IF_ERROR(
      db_->Exec("INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) "
                "VALUES(?,?,?,?,?)",
                {Sha256Hex(session.token), user_id, session.csrf, now, session.expires_at}));
  ARKWIKI_ASSIGN_OR_RETURN(session.user, GetById(user_id));
  return session;
}

Result<LoginSession> UserStore::LookupSession(const std::string& token) {
  const int64_t now = NowUnixSeconds();
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      db_->Query(std::string("SELECT s.csrf, s.expires_at, s.created_at, ") + kJoinedUser +
                     " FROM sessions s JOIN users u ON u.id = s.user_id "
                     "WHERE s.token_hash = ? AND s.expires_at > ? AND s.created_at > ? "
                     "AND u.disabled = 0",
                 {Sha256Hex(token), now, now - policy_.max_age_seconds}));
  if (rows.empty()) return Status::NotFound("no such session");
  LoginSession session;
  session.csrf = rows[0].Text(0);
  session.expires_at = rows[0].Int(1);
  session.created_at = rows[0].Int(2);
  session.user = UserAt(rows[0], 3);
  const int64_t idle_end =
      std::min(now + policy_.idle_seconds, session.created_at + policy_.max_age_seconds);
  if (idle_end - session.expires_at >= kSessionTouchSeconds) {
    // Bookkeeping: a failed write only shortens this session's idle period.
    (void)db_->Exec("UPDATE sessions SET expires_at = ? WHERE token_hash = ?",
                    {idle_end, Sha256Hex(token)});
    session.expires_at = idle_end;
  }
  return session;
}

Status UserStore::DeleteExpiredSessions() {
  const int64_t now = NowUnixSeconds();
  return db_->Exec("DELETE FROM sessions WHERE expires_at <= ? OR created_at <= ?",
                   {now, now - policy_.max_age_seconds});
}

Status UserStore::DeleteSession(const std::string& token) {
  return db_->Exec("DELETE FROM sessions WHERE token_hash = ?", {Sha256Hex(token)});
}

Status UserStore::DeleteSessionsOf(int64_t user_id) {
  return db_->Exec("DELETE FROM sessions WHERE user_id = ?", {user_id});
}

Result<std::string> UserStore::CreateApiToken(int64_t user_id, const std::string& label) {
  ARKWIKI_RETURN_IF_ERROR(ValidateTokenLabel(label));
  std::string token = "ark_" + RandomHex(32);
  ARKWIKI_RETURN_IF_ERROR(
      db_->Exec("INSERT INTO api_tokens(user_id, token_hash, label, created_at) VALUES(?,?,?,?)",
                {user_id, Sha256Hex(token), label, NowUnixSeconds()}));
  return token;
}

Result<User> UserStore::LookupApiToken(const std::string& token) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db_->Query(std::string("SELECT t.id, ") + kJoinedUser +
                                          " FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                          "WHERE t.token_hash = ? AND u.disabled = 0",
                                      {Sha256Hex(token)}));
  if (rows.empty()) return Status::Unauthenticated("unknown or revoked API token");
  (void)db_->Exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                  {NowUnixSeconds(), rows[0].Int(0)});  // bookkeeping only
  return UserAt(rows[0], 1);
}

Result<std::vector<ApiToken>> UserStore::ListApiTokens() {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db_->Query("SELECT t.id, u.name, t.label, t.created_at, t.last_used_at "
                                      "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                      "ORDER BY t.id"));
  std::vector<ApiToken> out;
  for (const auto& r : rows) {
    out.push_back({r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.OptInt(4)});
  }
  return out;
}

Result<ApiToken> UserStore::GetApiToken(int64_t id) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db_->Query("SELECT t.id, u.name, t.label, t.created_at, t.last_used_at "
                                      "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                      "WHERE t.id = ?",
                                      {id}));
  if (rows.empty()) return Status::NotFound("no API token with id " + std::to_string(id));
  const SqlRow& r = rows[0];
  return ApiToken{r.Int(0), r.Text(1), r.Text(2), r.Int(3), r.OptInt(4)};
}

Status UserStore::RevokeApiToken(int64_t id) {
  ARKWIKI_RETURN_IF_ERROR(db_->Exec("DELETE FROM api_tokens WHERE id = ?", {id}));
  if (db_->Changes() == 0) return Status::NotFound("no API token with id " + std::to_string(id));
  return Status::Ok();
}

Status ValidateTokenLabel(const std::string& label) {
  if (label.size() > kMaxTokenLabelBytes) {
    return Status::InvalidArgument("token labels are at most " +
                                   std::to_string(kMaxTokenLabelBytes) + " bytes");
  }
  return row_check::CheckBoundedText("the label", label, kMaxTokenLabelBytes);
}

Status ValidatePreference(const std::string& key, const std::string& value) {
  static const std::set<std::string> kThemes = {"light", "dark", "system"};
  if (key == "theme") {
    if (!kThemes.count(value))
      return Status::InvalidArgument("theme must be light, dark or system");
  } else if (key == "timezone") {
    if (!IsValidTimezone(value)) return Status::InvalidArgument("timezone must be an IANA name");
  } else if (key == "editor_font") {
    if (value != "mono" && value != "sans") {
      return Status::InvalidArgument("editor_font must be mono or sans");
    }
  } else if (key == "editor_line_wrap") {
    if (value != "on" && value != "off") {
      return Status::InvalidArgument("editor_line_wrap must be on or off");
    }
  } else {
    return Status::InvalidArgument("unknown preference '" + key + "'");
  }
  return Status::Ok();
}

Result<std::map<std::string, std::string>> UserStore::GetPreferences(int64_t user_id) {
  std::map<std::string, std::string> prefs = {{"theme", "system"},
                                              {"timezone", "UTC"},
                                              {"editor_font", "mono"},
                                              {"editor_line_wrap", "on"}};
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows, db_->Query("SELECT key, value FROM preferences WHERE user_id = ?", {user_id}));
  for (const auto& r : rows) prefs[r.Text(0)] = r.Text(1);
  return prefs;
}

Status UserStore::SetPreferences(int64_t user_id, const std::map<std::string, std::string>& prefs) {
  for (const auto& [k, v] : prefs) ARKWIKI_RETURN_IF_ERROR(ValidatePreference(k, v));
  return db_->Transaction([&](Db& tx) -> Status {
    for (const auto& [k, v] : prefs) {
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO preferences(user_id, key, value) VALUES(?,?,?) "
                  "ON CONFLICT(user_id, key) DO UPDATE SET value = excluded.value",
                  {user_id, k, v}));
    }
    return Status::Ok();
  });
}

}  // namespace arkwiki
