#include "arkwiki/storage/settings_store.h"

#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
}  // namespace arkwiki
