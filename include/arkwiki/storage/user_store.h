// Users, their login sessions, API tokens and preferences.
//
// Passwords are hashed with argon2id (libsodium's crypto_pwhash_str,
// "interactive" limits). Session and API tokens are 256-bit random values
// handed to the client once; only their SHA-256 is stored, so a stolen
// database or backup cannot be replayed as a login.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

enum class Role { kReader = 0, kEditor = 1, kAdmin = 2 };
const char* RoleName(Role role);
Result<Role> ParseRole(const std::string& name);

struct User {
  int64_t id = 0;
  std::string name;
  Role role = Role::kReader;
  bool disabled = false;
  int64_t created_at = 0;
};

struct LoginSession {
  std::string token;  // only set when just created
  std::string csrf;
  User user;
  int64_t created_at = 0;  // when the user logged in
  int64_t expires_at = 0;
};

// How long a login lasts. A session ends after idle_seconds without a
// request, and max_age_seconds after the login whatever the activity.
// sessions.expires_at holds the end of the current idle period (capped by
// the maximum age); a lookup moves it forward, writing at most once a
// minute per session.
struct SessionPolicy {
  int64_t max_age_seconds = int64_t{14} * 24 * 3600;
  int64_t idle_seconds = int64_t{7} * 24 * 3600;
};
inline constexpr int64_t kSessionTouchSeconds = 60;

struct ApiToken {
  int64_t id = 0;
  std::string user_name;
  std::string label;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

class UserStore {
 public:
  explicit UserStore(Db* db) : db_(db) {}

  // Names: 1..64 chars of letters, digits, '.', '_', '-'. Passwords: 8..1024 bytes.
  Result<User> Create(const std::string& name, const std::string& password, Role role);
  Result<User> Get(const std::string& name);
  Result<User> GetById(int64_t id);
  Result<std::vector<User>> List();
  Result<int64_t> Count();
  // Unauthenticated (generic message) for a wrong name, wrong password or a
  // disabled account alike, so the answer does not reveal which.
  Result<User> Authenticate(const std::string& name, const std::string& password);
  Status SetRole(const std::string& name, Role role);
  Status SetDisabled(const std::string& name, bool disabled);
  Status SetPassword(const std::string& name, const std::string& password);

  void set_session_policy(const SessionPolicy& policy) { policy_ = policy; }
  // The session ends after min(ttl_seconds, policy idle) without use, and
  // at most policy max age after now.
  Result<LoginSession> CreateSession(int64_t user_id, int64_t ttl_seconds);
  // NotFound when unknown, expired (idle or too old), or the user is
  // disabled. Extends the idle period (see SessionPolicy).
  Result<LoginSession> LookupSession(const std::string& token);
  // Deletes the rows of ended sessions (at start, and on logins).
  Status DeleteExpiredSessions();
  Status DeleteSession(const std::string& token);
  Status DeleteSessionsOf(int64_t user_id);

  // Returns the token text; it cannot be recovered later.
  Result<std::string> CreateApiToken(int64_t user_id, const std::string& label);
  Result<User> LookupApiToken(const std::string& token);
  Result<std::vector<ApiToken>> ListApiTokens();
  // NotFound when no token has this id.
  Result<ApiToken> GetApiToken(int64_t id);
  Status RevokeApiToken(int64_t id);

  Result<std::map<std::string, std::string>> GetPreferences(int64_t user_id);
  // Validates keys and values: theme (light|dark|system), timezone (IANA
  // name), editor_font (mono|sans), editor_line_wrap (on|off).
  Status SetPreferences(int64_t user_id, const std::map<std::string, std::string>& prefs);

 private:
  Db* db_;
  SessionPolicy policy_;
};

Status ValidateUserName(const std::string& name);
// An API token's label: at most kMaxTokenLabelBytes of UTF-8 without NUL
// bytes. CreateApiToken and the import's row check (row_check.h) both apply
// it.
inline constexpr size_t kMaxTokenLabelBytes = 100;
Status ValidateTokenLabel(const std::string& label);
Status ValidatePassword(const std::string& password);
Status ValidatePreference(const std::string& key, const std::string& value);

}  // namespace arkwiki
