#include "arkwiki/storage/settings_store.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "arkwiki/core/env.h"
#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

TEST(SettingsStoreTest, MonitoringKeysAreDeclaredAndEmptyByDefault) {
  for (const char* key : {"metrics_allow_address", "backup_webhook_url"}) {
    const auto& keys = SettingKeys();
    EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
    EXPECT_EQ(SettingsToMap(SiteSettings{}).at(key), "") << key;
  }
}

TEST(SettingsStoreTest, MetricsAllowAddressTakesOneIpAddressOrNothing) {
  SiteSettings s;
  for (const char* ok : {"", "127.0.0.1", "10.0.0.5", "::1", "fd00::5"}) {
    EXPECT_TRUE(ApplySetting("metrics_allow_address", ok, &s).ok()) << ok;
    EXPECT_EQ(s.metrics_allow_address, ok);
  }
  for (const char* bad : {"localhost", "10.0.0.0/8", "1.2.3.4 ", "1.2.3.4,5.6.7.8", "999.1.1.1"}) {
    EXPECT_EQ(ApplySetting("metrics_allow_address", bad, &s).code(), StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(SettingsStoreTest, WebhookUrlIsHttpWithoutCredentials) {
  SiteSettings s;
  for (const char* ok : {"", "https://hooks.example.org/services/T/B/x?y=1",
                         "http://10.0.0.2:9000/h", "https://example.org/a@b"}) {
    EXPECT_TRUE(ApplySetting("backup_webhook_url", ok, &s).ok()) << ok;
  }
  for (const char* bad : {"ftp://x/", "https://", "https://user:pw@host/x", "http://a b/",
                          "javascript:alert(1)", "http://x/\n"}) {
    EXPECT_EQ(ApplySetting("backup_webhook_url", bad, &s).code(), StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(ApplySetting("backup_webhook_url", "https://x/" + std::string(2000, 'a'), &s).ok());
}

TEST(SettingsStoreTest, LogsShowOnlyTheWebhookOrigin) {
  EXPECT_EQ(SettingValueForLog("backup_webhook_url", "https://hooks.example.org/T/B/secret"),
            "https://hooks.example.org/...");
  EXPECT_EQ(SettingValueForLog("backup_webhook_url", "http://h:1?token=secret"), "http://h:1/...");
  EXPECT_EQ(SettingValueForLog("backup_webhook_url", ""), "");
  EXPECT_EQ(SettingValueForLog("site_title", "My wiki"), "My wiki");
}

TEST(SettingsStoreTest, LoadSeesEveryUpdate) {
  testing::TempDir dir;
  auto storage = Storage::Open(Env::Default(), dir.path());
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  SettingsStore& settings = (*storage)->settings();
  EXPECT_EQ(settings.Load().value().site_title, "arkwiki");
  ASSERT_TRUE(settings.Update({{"site_title", "Team wiki"}}).ok());
  EXPECT_EQ(settings.Load().value().site_title, "Team wiki");
  EXPECT_FALSE(settings.Update({{"site_title", ""}}).ok());
  ASSERT_TRUE(settings.Update({{"default_visibility", "private"}}).ok());
  const SiteSettings loaded = settings.Load().value();
  EXPECT_EQ(loaded.site_title, "Team wiki");
  EXPECT_EQ(loaded.default_visibility, "private");
  EXPECT_FALSE(loaded.instance_id.empty());
}

}  // namespace
}  // namespace arkwiki
