#include "arkwiki/storage/row_check.h"

#include <algorithm>
#include <string>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/storage/audit_log.h"
#include "arkwiki/storage/password_hash.h"
#include "arkwiki/storage/settings_store.h"
#include "arkwiki/storage/upload_store.h"
#include "arkwiki/storage/user_store.h"
#include "row_check_pages.h"
#include "row_check_util.h"

namespace arkwiki {
namespace {

using row_check::CheckBoundedText;
using row_check::ForEach;
using row_check::IsInteger;
using row_check::Refuse;
using row_check::Text;

// Audit entries are written by arkwiki only: an actor is a user name or
// "cli", an action one of the kinds of audit_log.h.
constexpr size_t kMaxAuditActor = 64;
constexpr size_t kMaxAuditDetail = 64 << 10;
constexpr int64_t kMaxUploadSize = 1ll << 40;

Status CheckUserRow(sqlite3_stmt* st) {
  const std::string name = Text(st, 0);
  Status rule = ValidateUserName(name);
  if (rule.ok()) rule = CheckPasswordHash(Text(st, 1));
  if (rule.ok()) rule = ParseRole(Text(st, 2)).status();
  if (rule.ok() &&
      (!IsInteger(st, 3) || sqlite3_column_int64(st, 3) > 1 || sqlite3_column_int64(st, 3) < 0)) {
    rule = Status::InvalidArgument("the disabled flag is neither 0 nor 1");
  }
  if (rule.ok() && !IsInteger(st, 4)) {
    rule = Status::InvalidArgument("created_at is not a whole number");
  }
  return rule.ok() ? rule : Refuse("users", name, rule.message());
}

bool IsOneOf(const std::string& key, const std::vector<std::string>& keys) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// A retired key's value is ignored on load; it only has to be small.
constexpr size_t kMaxRetiredSettingBytes = 64;

Status CheckSettingRow(sqlite3_stmt* st) {
  const std::string key = Text(st, 0);
  const std::string value = Text(st, 1);
  if (IsOneOf(key, RetiredSettingKeys())) {
    if (value.size() <= kMaxRetiredSettingBytes) return Status::Ok();
    return Refuse("settings", key, "the value of a retired setting is over 64 bytes");
  }
  if (!IsOneOf(key, SettingKeys())) return Refuse("settings", key, "arkwiki has no such setting");
  if (key == "instance_id") {
    if (value.empty() || value.size() > 64 || !IsLowerHex(value, value.size())) {
      return Refuse("settings", key, "the instance id is not 1 to 64 lowercase hex digits");
    }
    return Status::Ok();
  }
  SiteSettings scratch;
  Status rule = ApplySetting(key, value, &scratch);
  return rule.ok() ? rule : Refuse("settings", key, rule.message());
}

Status CheckPreferenceRow(sqlite3_stmt* st) {
  Status rule = ValidatePreference(Text(st, 1), Text(st, 2));
  return rule.ok() ? rule : Refuse("preferences", Text(st, 0) + "/" + Text(st, 1), rule.message());
}

Status CheckTokenRow(sqlite3_stmt* st) {
  const std::string id = std::to_string(sqlite3_column_int64(st, 0));
  if (!IsLowerHex(Text(st, 1), 64)) {
    return Refuse("api_tokens", id, "the token hash is not a SHA-256 in lowercase hex");
  }
  Status rule = ValidateTokenLabel(Text(st, 2));
  if (rule.ok() && !IsInteger(st, 3)) rule = Status::InvalidArgument("created_at is not a number");
  if (rule.ok() && !IsInteger(st, 4) && sqlite3_column_type(st, 4) != SQLITE_NULL) {
    rule = Status::InvalidArgument("last_used_at is not a number");
  }
  return rule.ok() ? rule : Refuse("api_tokens", id, rule.message());
}

Status CheckUploadRow(sqlite3_stmt* st) {
  // The row's key is built only for a refusal: this runs once per upload,
  // twice per restore point.
  const std::string name = Text(st, 1);
  const auto refuse = [&](std::string_view rule) {
    return Refuse("uploads", Text(st, 0) + "/" + name, rule);
  };
  if (!IsValidUploadName(name)) return refuse("the file name is not valid");
  const auto* sha = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
  if (sha == nullptr ||
      !IsLowerHex(std::string_view(sha, static_cast<size_t>(sqlite3_column_bytes(st, 2))), 64)) {
    return refuse("the hash is not a SHA-256 in lowercase hex");
  }
  if (!IsInteger(st, 3) || sqlite3_column_int64(st, 3) < 0 ||
      sqlite3_column_int64(st, 3) > kMaxUploadSize) {
    return refuse("the size is not a whole number from 0 to 1 TiB");
  }
  Status rule = ValidateUploadMeta(Text(st, 4), Text(st, 5));
  return rule.ok() ? rule : refuse(rule.message());
}

Status CheckAuditRow(sqlite3_stmt* st) {
  const std::string id = std::to_string(sqlite3_column_int64(st, 0));
  if (!IsInteger(st, 1)) return Refuse("audit_log", id, "the time is not a whole number");
  Status rule = CheckBoundedText("the actor", Text(st, 2), kMaxAuditActor);
  if (rule.ok() && !IsKnownAuditKind(Text(st, 3))) {
    rule = Status::InvalidArgument("the action is not a kind arkwiki writes");
  }
  if (rule.ok()) rule = CheckBoundedText("the detail", Text(st, 4), kMaxAuditDetail);
  return rule.ok() ? rule : Refuse("audit_log", id, rule.message());
}

// arkwiki removes every session from the database it archives, so an
// archive's session would be a login nobody made here.
Status RefuseSessionRow(sqlite3_stmt* st) {
  return Refuse("sessions", Text(st, 0),
                "a backup carries no login sessions (arkwiki removes them when it writes one)");
}

Status CheckSlugColumn(const char* table, sqlite3_stmt* st, int col) {
  const std::string slug = Text(st, col);
  if (IsValidSlug(slug)) return Status::Ok();
  return Refuse(table, slug, "the slug is not one arkwiki makes");
}

}  // namespace

Status CheckRowsAreValid(sqlite3* db, int version, RowSource source) {
  ARKWIKI_RETURN_IF_ERROR(
      ForEach(db, "SELECT name, password_hash, role, disabled, created_at FROM users ORDER BY id",
              CheckUserRow));
  ARKWIKI_RETURN_IF_ERROR(ForEach(db, "SELECT key, value FROM settings", CheckSettingRow));
  ARKWIKI_RETURN_IF_ERROR(CheckPageRows(db));
  ARKWIKI_RETURN_IF_ERROR(ForEach(db, "SELECT old_slug FROM redirects", [](sqlite3_stmt* st) {
    return CheckSlugColumn("redirects", st, 0);
  }));
  ARKWIKI_RETURN_IF_ERROR(ForEach(db,
                                  "SELECT p.slug, u.name, u.sha256, u.size, u.content_type, "
                                  "u.uploader FROM uploads u JOIN pages p ON p.id = u.page_id",
                                  CheckUploadRow));
  ARKWIKI_RETURN_IF_ERROR(
      ForEach(db, "SELECT id, at, actor, action, detail FROM audit_log", CheckAuditRow));
  if (source == RowSource::kArchive) {
    ARKWIKI_RETURN_IF_ERROR(ForEach(db,
                                    "SELECT coalesce(u.name, s.user_id) FROM sessions s "
                                    "LEFT JOIN users u ON u.id = s.user_id",
                                    RefuseSessionRow));
  }
  if (version < 2) return Status::Ok();
  ARKWIKI_RETURN_IF_ERROR(ForEach(db,
                                  "SELECT u.name, p.key, p.value FROM preferences p "
                                  "JOIN users u ON u.id = p.user_id",
                                  CheckPreferenceRow));
  ARKWIKI_RETURN_IF_ERROR(ForEach(
      db, "SELECT id, token_hash, label, created_at, last_used_at FROM api_tokens", CheckTokenRow));
  if (version < 3) return Status::Ok();
  return ForEach(db, "SELECT to_slug FROM page_links",
                 [](sqlite3_stmt* st) { return CheckSlugColumn("page_links", st, 0); });
}

}  // namespace arkwiki
