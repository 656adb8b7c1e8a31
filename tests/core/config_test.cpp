// The server configuration file: the keys of the encrypted repository of
// restore points, and the trusted reverse proxy.
#include "arkwiki/core/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace arkwiki {
namespace {

Result<ServerConfig> LoadFile(const std::string& path) {
  ConfigSources sources;
  sources.flag_config_file = path;
  sources.use_process_environment = false;
  return LoadServerConfig(sources);
}

TEST(ConfigTest, ReadsTheEncryptedRepositoryKeysAndDefaultsToPlain) {
  testing::TempDir dir;
  const std::string plain = dir.Sub("plain.conf");
  std::ofstream(plain) << "backup_dir = /srv/backups\n";
  auto defaults = LoadFile(plain);
  ASSERT_TRUE(defaults.ok()) << defaults.status().ToString();
  EXPECT_FALSE(defaults->backup_encrypt);
  EXPECT_TRUE(defaults->backup_passphrase_file.empty());
  const std::string conf = dir.Sub("arkwiki.conf");
  std::ofstream(conf) << "backup_encrypt = true\nbackup_passphrase_file = /etc/arkwiki/bp\n";
  auto config = LoadFile(conf);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->backup_encrypt);
  EXPECT_EQ(config->backup_passphrase_file, "/etc/arkwiki/bp");
}

TEST(ConfigTest, RefusesABackupEncryptThatIsNotTrueOrFalse) {
  testing::TempDir dir;
  const std::string conf = dir.Sub("arkwiki.conf");
  std::ofstream(conf) << "backup_encrypt = yes please\n";
  auto config = LoadFile(conf);
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find("backup_encrypt"), std::string::npos);
}

// One address has one canonical form, however it reached us: the trusted
// proxy, the metrics address and the login throttle compare these.
TEST(ConfigTest, AnIpAddressHasOneCanonicalFormAndAMappedIpv4AddressIsItsIpv4Form) {
  EXPECT_EQ(CanonicalIpAddress("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(CanonicalIpAddress("2001:DB8::1"), "2001:db8::1");
  EXPECT_EQ(CanonicalIpAddress("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(CanonicalIpAddress("::ffff:203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(CanonicalIpAddress("::FFFF:cb00:7109"), "203.0.113.9");
  EXPECT_EQ(CanonicalIpAddress("::203.0.113.9"), "::203.0.113.9") << "IPv4-compatible is IPv6";
  for (const char* bad :
       {"", "localhost", "10.0.0.0/8", "1.2.3", "::ffff:1.2.3.4.5", "fe80::1%eth0"}) {
    EXPECT_EQ(CanonicalIpAddress(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(CanonicalIpAddress(std::string("127.0.0.1\0", 10)), std::nullopt);
}

TEST(ConfigTest, ATrustedProxyIsAnIpAddressKeptInCanonicalForm) {
  testing::TempDir dir;
  const std::string conf = dir.Sub("arkwiki.conf");
  std::ofstream(conf) << "trusted_proxy = 0:0:0:0:0:0:0:1\n";
  auto loaded = LoadFile(conf);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->trusted_proxy, "::1");
  EXPECT_TRUE(LoadFile(dir.Sub("none.conf")).status().code() == StatusCode::kNotFound);
  for (const char* bad : {"proxy.example", "10.0.0.0/8", "10.0.0.1:80", ""}) {
    std::ofstream(conf) << "trusted_proxy = " << bad << "\n";
    EXPECT_EQ(LoadFile(conf).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  ConfigSources sources;
  sources.use_process_environment = false;
  sources.flag_config_file = dir.Sub("empty.conf");
  std::ofstream(*sources.flag_config_file) << "";
  sources.environment["ARKWIKI_TRUSTED_PROXY"] = "127.0.0.1";
  EXPECT_EQ(LoadServerConfig(sources).value().trusted_proxy, "127.0.0.1");
  sources.environment["ARKWIKI_TRUSTED_PROXY"] = "localhost";
  EXPECT_EQ(LoadServerConfig(sources).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace arkwiki
