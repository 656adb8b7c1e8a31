#include "arkwiki/storage/user_store.h"

#include <sodium.h>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/password_hash.h"

namespace arkwiki {
namespace {

const char kUserColumns[] = "id, name, role, disabled, created_at";

User UserFromRow(const SqlRow& r, size_t offset = 0) {
  User u;
  u.id = r.Int(offset);
  u.name = r.Text(offset + 1);
  u.role = ParseRole(r.Text(offset + 2)).value();
  u.disabled = r.Int(offset + 3) != 0;
  u.created_at = r.Int(offset + 4);
  return u;
}

Result<std::string> HashPassword(const std::string& password) {
  if (sodium_init() < 0) return Status::IoError("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status::IoError("out of memory while hashing a password");
  }
  return std::string(out);
}

Result<User> SingleUser(Result<SqlRows> rows, const std::string& what) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return Status::NotFound("no user " + what);
  return UserFromRow(rows->front());
}

// Ends every session and API token of the user `name`: enabling the user
// again, or a new password, brings none of them back.
Status EndLoginsOf(Db& tx, const std::string& name) {
  ARKWIKI_RETURN_IF_ERROR(tx.Exec(
      "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?)", {name}));
  return tx.Exec("DELETE FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE name = ?)",
                 {name});
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kReader:
      return "reader";
    case Role::kEditor:
      return "editor";
    case Role::kAdmin:
      return "admin";
  }
  return "reader";
}

Result<Role> ParseRole(const std::string& name) {
  if (name == "reader") return Role::kReader;
  if (name == "editor") return Role::kEditor;
  if (name == "admin") return Role::kAdmin;
  return Status::InvalidArgument("role must be admin, editor or reader, not '" + name + "'");
}

Status ValidateUserName(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("user names are 1 to 64 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("user names may contain only letters, digits, '.', '_', '-'");
    }
  }
  return Status::Ok();
}

Status ValidatePassword(const std::string& password) {
  if (password.size() < 8) return Status::InvalidArgument("passwords need at least 8 characters");
  if (password.size() > 1024) return Status::InvalidArgument("passwords are at most 1024 bytes");
  return Status::Ok();
}

Result<User> UserStore::Create(const std::string& name, const std::string& password, Role role) {
  ARKWIKI_RETURN_IF_ERROR(ValidateUserName(name));
  ARKWIKI_RETURN_IF_ERROR(ValidatePassword(password));
  ARKWIKI_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  Status s = db_->Exec("INSERT INTO users(name, password_hash, role, created_at) VALUES(?,?,?,?)",
                       {name, hash, RoleName(role), NowUnixSeconds()});
  if (s.code() == StatusCode::kConflict) {
    return Status::AlreadyExists("a user named '" + name + "' already exists");
  }
  ARKWIKI_RETURN_IF_ERROR(s);
  return Get(name);
}

Result<User> UserStore::Get(const std::string& name) {
  return SingleUser(
      db_->Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?", {name}),
      "named '" + name + "'");
}

Result<User> UserStore::GetById(int64_t id) {
  return SingleUser(
      db_->Query(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?", {id}),
      "with id " + std::to_string(id));
}

Result<std::vector<User>> UserStore::List() {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, db_->Query(std::string("SELECT ") + kUserColumns +
                                                    " FROM users ORDER BY name"));
  std::vector<User> users;
  for (const auto& r : rows) users.push_back(UserFromRow(r));
  return users;
}

Result<int64_t> UserStore::Count() { return db_->QueryInt("SELECT count(*) FROM users"); }

Result<User> UserStore::Authenticate(const std::string& name, const std::string& password) {
  const Status denied = Status::Unauthenticated("wrong user name or password");
  // No password this long is ever set (ValidatePassword). Refused before the
  // name is looked up, so that its time does not reveal whether the name
  // exists.
  if (password.size() > 1024) return denied;
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db_->Query("SELECT password_hash, " + std::string(kUserColumns) +
                                          " FROM users WHERE name = ?",
                                      {name}));
  if (rows.empty()) {
    // Spend the same time as a real check so timing does not reveal names.
    (void)HashPassword(password);
    return denied;
  }
  const std::string& hash = rows[0].Text(0);
  // Never run argon2 at costs arkwiki did not choose: one such login could
  // take gigabytes and minutes.
  if (Status costs = CheckPasswordHash(hash); !costs.ok()) {
    LogWarning("login refused for '" + name + "': " + costs.message() +
               "; an admin must reset this user's password");
    return Status::Unauthenticated("the password of '" + name + "' must be reset: its " +
                                   costs.message());
  }
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) {
    return denied;
  }
  User user = UserFromRow(rows[0], 1);
  if (user.disabled) return denied;
  return user;
}

static Result<bool> IsEnabledAdmin(Db& tx, const std::string& name) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, tx.Query("SELECT role = 'admin' AND disabled = 0 FROM "
                                                  "users WHERE name = ?",
                                                  {name}));
  return !rows.empty() && rows[0].Int(0) != 0;
}

// Refuses a change that would leave no enabled admin: nobody could then
// reach Settings, and the first-admin path is only the CLI.
static Status CheckAdminsRemain(Db& tx, bool was_enabled_admin) {
  if (!was_enabled_admin) return Status::Ok();
  ARKWIKI_ASSIGN_OR_RETURN(int64_t admins,
                           tx.QueryInt("SELECT count(*) FROM users WHERE role = 'admin' AND "
                                       "disabled = 0"));
  if (admins == 0) {
    return Status::Conflict("this would leave the wiki without an enabled admin");
  }
  return Status::Ok();
}

Status UserStore::SetRole(const std::string& name, Role role) {
  return db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(bool was_admin, IsEnabledAdmin(tx, name));
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE users SET role = ? WHERE name = ?", {RoleName(role), name}));
    if (tx.Changes() == 0) return Status::NotFound("no user named '" + name + "'");
    return CheckAdminsRemain(tx, was_admin);
  });
}

Status UserStore::SetDisabled(const std::string& name, bool disabled) {
  return db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(bool was_admin, IsEnabledAdmin(tx, name));
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE users SET disabled = ? WHERE name = ?", {disabled ? 1 : 0, name}));
    if (tx.Changes() == 0) return Status::NotFound("no user named '" + name + "'");
    if (!disabled) return Status::Ok();
    ARKWIKI_RETURN_IF_ERROR(CheckAdminsRemain(tx, was_admin));
    return EndLoginsOf(tx, name);
  });
}

Status UserStore::SetPassword(const std::string& name, const std::string& password) {
  ARKWIKI_RETURN_IF_ERROR(ValidatePassword(password));
  ARKWIKI_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  return db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE users SET password_hash = ? WHERE name = ?", {hash, name}));
    if (tx.Changes() == 0) return Status::NotFound("no user named '" + name + "'");
    // A password reset ends every existing login and API token of that user.
    return EndLoginsOf(tx, name);
  });
}

}  // namespace arkwiki
