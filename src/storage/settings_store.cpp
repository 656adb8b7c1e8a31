#include "arkwiki/storage/settings_store.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdlib>

#include "arkwiki/core/hash.h"

namespace arkwiki {
namespace {

Result<int64_t> ParsePositive(const std::string& key, const std::string& value, int64_t max) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || v < 1 || v > max) {
    return Status::InvalidArgument(key + " must be a whole number from 1 to " +
                                   std::to_string(max));
  }
  return static_cast<int64_t>(v);
}

Status CheckAddress(const std::string& value) {
  if (value.empty()) return Status::Ok();
  unsigned char buf[16];
  if (inet_pton(AF_INET, value.c_str(), buf) == 1 || inet_pton(AF_INET6, value.c_str(), buf) == 1) {
    return Status::Ok();
  }
  return Status::InvalidArgument(
      "metrics_allow_address must be one IP address such as 10.0.0.5, or empty");
}

bool IsPlainHttpUrl(const std::string& value) {
  const size_t scheme = value.rfind("https://", 0) == 0  ? 8
                        : value.rfind("http://", 0) == 0 ? 7
                                                         : 0;
  if (scheme == 0 || value.size() > 2000 || value.size() == scheme) return false;
  for (char c : value) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  const size_t authority_end = value.find_first_of("/?#", scheme);
  return value.substr(scheme, authority_end - scheme).find('@') == std::string::npos;
}

// Credentials in the URL (user:password@) are refused: they would end up in
// logs and in the settings page. A secret in the path or query is fine.
Status CheckWebhookUrl(const std::string& value) {
  if (value.empty() || IsPlainHttpUrl(value)) return Status::Ok();
  return Status::InvalidArgument(
      "backup_webhook_url must be an http:// or https:// URL without user:password@, "
      "at most 2000 characters, or empty");
}

}  // namespace

const std::vector<std::string>& SettingKeys() {
  static const std::vector<std::string> keys = {
      "site_title",         "base_url",
      "default_visibility", "upload_max_bytes",
      "import_max_bytes",   "safety_backup_retention_days",
      "instance_id",        "metrics_allow_address",
      "backup_webhook_url"};
  return keys;
}

const std::vector<std::string>& RetiredSettingKeys() {
  static const std::vector<std::string> keys = {"registration_open"};
  return keys;
}

std::map<std::string, std::string> SettingsToMap(const SiteSettings& s) {
  return {{"site_title", s.site_title},
          {"base_url", s.base_url},
          {"default_visibility", s.default_visibility},
          {"upload_max_bytes", std::to_string(s.upload_max_bytes)},
          {"import_max_bytes", std::to_string(s.import_max_bytes)},
          {"safety_backup_retention_days", std::to_string(s.safety_backup_retention_days)},
          {"instance_id", s.instance_id},
          {"metrics_allow_address", s.metrics_allow_address},
          {"backup_webhook_url", s.backup_webhook_url}};
}

Status ApplySetting(const std::string& key, const std::string& value, SiteSettings* s) {
  if (key == "site_title") {
    if (value.empty() || value.size() > 200) {
      return Status::InvalidArgument("site_title must be 1 to 200 characters");
    }
    s->site_title = value;
  } else if (key == "base_url") {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0) {
      return Status::InvalidArgument("base_url must start with http:// or https://");
    }
    s->base_url = value;
  } else if (key == "default_visibility") {
    if (value != "public" && value != "private") {
      return Status::InvalidArgument("default_visibility must be public or private");
    }
    s->default_visibility = value;
  } else if (key == "upload_max_bytes") {
    ARKWIKI_ASSIGN_OR_RETURN(s->upload_max_bytes, ParsePositive(key, value, 1ll << 40));
  } else if (key == "import_max_bytes") {
    ARKWIKI_ASSIGN_OR_RETURN(s->import_max_bytes, ParsePositive(key, value, 1ll << 42));
  } else if (key == "safety_backup_retention_days") {
    ARKWIKI_ASSIGN_OR_RETURN(s->safety_backup_retention_days, ParsePositive(key, value, 3650));
  } else if (key == "metrics_allow_address") {
    ARKWIKI_RETURN_IF_ERROR(CheckAddress(value));
    s->metrics_allow_address = value;
  } else if (key == "backup_webhook_url") {
    ARKWIKI_RETURN_IF_ERROR(CheckWebhookUrl(value));
    s->backup_webhook_url = value;
  } else if (key == "instance_id") {
    return Status::InvalidArgument("instance_id is set by the server and cannot be changed");
  } else {
    return Status::InvalidArgument("unknown setting '" + key + "'");
  }
  return Status::Ok();
}

std::string SettingValueForLog(const std::string& key, const std::string& value) {
  if (key != "backup_webhook_url" || value.empty()) return value;
  const size_t host = value.find("://");
  if (host == std::string::npos) return "...";
  const size_t end = value.find_first_of("/?#", host + 3);
  return end == std::string::npos ? value : value.substr(0, end) + "/...";
}

Result<SiteSettings> SettingsStore::Load() {
  uint64_t writes = 0;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (loaded_) return *loaded_;
    writes = writes_;
  }
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadCommitted(db_, views_, "SELECT key, value FROM settings"));
  SiteSettings s;
  for (const auto& r : rows) {
    if (r.Text(0) == "instance_id") {
      s.instance_id = r.Text(1);
      continue;
    }
    // A stored value that no longer validates keeps its default.
    (void)ApplySetting(r.Text(0), r.Text(1), &s);
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  if (writes == writes_) loaded_ = s;
  return s;
}

void SettingsStore::ForgetLoaded() {
  const std::lock_guard<std::mutex> lock(mutex_);
  ++writes_;
  loaded_.reset();
}

Status SettingsStore::Update(const std::map<std::string, std::string>& values) {
  ARKWIKI_ASSIGN_OR_RETURN(SiteSettings current, Load());
  for (const auto& [k, v] : values) ARKWIKI_RETURN_IF_ERROR(ApplySetting(k, v, &current));
  std::map<std::string, std::string> all = SettingsToMap(current);
  Status s = db_->Transaction([&](Db& tx) -> Status {
    for (const auto& [k, v] : values) {
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO settings(key, value) VALUES(?,?) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                  {k, all[k]}));
    }
    return Status::Ok();
  });
  // After the commit: a Load whose read began before it either finishes
  // before this (and its result is dropped here) or sees writes_ changed.
  ForgetLoaded();
  return s;
}

Status SettingsStore::EnsureInstanceId() {
  Status s = db_->Exec("INSERT OR IGNORE INTO settings(key, value) VALUES('instance_id', ?)",
                       {RandomHex(16)});
  ForgetLoaded();
  return s;
}

}  // namespace arkwiki
