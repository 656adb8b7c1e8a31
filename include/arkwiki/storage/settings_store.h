// System configuration, stored in the database so that a backup carries it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/read_pool.h"

namespace arkwiki {

struct SiteSettings {
  std::string site_title = "arkwiki";
  std::string base_url = "http://127.0.0.1:8080";
  std::string default_visibility = "public";  // public | private
  int64_t upload_max_bytes = 256ll << 20;
  int64_t import_max_bytes = 8ll << 30;  // cap on an uploaded backup
  int64_t safety_backup_retention_days = 14;
  // GET /metrics answers this one address (IPv4 or IPv6 literal) without a
  // login; "" lets only admins read it.
  std::string metrics_allow_address;
  // http(s) URL that receives a JSON POST when a backup, check or test
  // restore fails or backups go stale; "" sends nothing.
  std::string backup_webhook_url;
  std::string instance_id;  // random, set on first start
};

// The keys, in the order the Settings page and the API show them.
const std::vector<std::string>& SettingKeys();
// Keys that older arkwiki versions wrote and this one ignores when it loads
// settings ("registration_open", a switch for a feature that never
// existed). A database or backup that holds one is still valid.
const std::vector<std::string>& RetiredSettingKeys();

class SettingsStore {
 public:
  // Load reads on `views` when given, else on `db`.
  explicit SettingsStore(Db* db, ReadPool* views = nullptr) : db_(db), views_(views) {}
  // The stored settings. Every page view asks, so the last result is kept
  // in memory until this store writes; the store is the settings table's
  // only writer while it is open (an import reopens the whole Storage).
  Result<SiteSettings> Load();
  // Validates and stores the given keys; unknown keys and bad values are
  // refused as a whole (InvalidArgument naming the key).
  Status Update(const std::map<std::string, std::string>& values);
  // Writes an instance id if none exists yet.
  Status EnsureInstanceId();

 private:
  void ForgetLoaded();

  Db* db_;
  ReadPool* views_;
  std::mutex mutex_;  // guards loaded_ and writes_
  std::optional<SiteSettings> loaded_;
  uint64_t writes_ = 0;  // a Load that saw a write start keeps nothing
};

std::map<std::string, std::string> SettingsToMap(const SiteSettings& s);
// A setting's value as the audit log and other logs may show it: the
// webhook URL is cut to its scheme and host ("https://hooks.example/..."),
// since its path or query often holds a secret.
std::string SettingValueForLog(const std::string& key, const std::string& value);
Status ApplySetting(const std::string& key, const std::string& value, SiteSettings* s);

}  // namespace arkwiki
