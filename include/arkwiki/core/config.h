// Server configuration: where the data lives and where to listen.
//
// Precedence, highest first:
//   1. command-line flags (--data, --listen, --backup-dir)
//   2. environment variables ARKWIKI_DATA, ARKWIKI_LISTEN,
//      ARKWIKI_HEAD_TIMEOUT_MS, ARKWIKI_BACKUP_DIR
//   3. the config file: --config FILE, else $ARKWIKI_CONFIG, else
//      /etc/arkwiki/arkwiki.conf if it exists ("key = value" lines with keys
//      data, listen, threads, head_timeout_ms, backup_dir, backup_encrypt,
//      backup_passphrase_file; '#' starts a comment)
//   4. defaults: ./arkwiki-data, 127.0.0.1:8080, and the repository of
//      restore points in DATA/backups
#pragma once

#include <map>
#include <optional>
#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

struct ServerConfig {
  std::string data_dir = "./arkwiki-data";
  std::string listen = "127.0.0.1:8080";
  int threads = 16;
  // How long a connection may take to send a complete request head, counted
  // from its acceptance (a new connection) or from the end of the previous
  // response (a kept-alive one); 100 to 600000.
  int head_timeout_ms = 10000;
  // The repository of restore points; empty means DATA/backups.
  std::string backup_dir;
  // Whether a new repository of restore points is made encrypted ("true"
  // or "false"; default false).
  bool backup_encrypt = false;
  // The file whose first line is the passphrase of an encrypted repository
  // (mode 0600, outside DATA/live and the repository); empty: none.
  std::string backup_passphrase_file;
  // The address of a reverse proxy in front (an IPv4 or IPv6 address, in
  // its canonical form once loaded); empty: none. A request from it is
  // taken to come from the last address of its X-Forwarded-For, for login
  // throttling and the logs; from any other address that header is ignored.
  std::string trusted_proxy;
};

// `text` as an IP address in canonical form ("::1", "127.0.0.1"); an IPv4
// address mapped into IPv6 ("::ffff:127.0.0.1") as the IPv4 address it is;
// nullopt when it is no IPv4 or IPv6 address, as with a zone
// ("fe80::1%eth0": the same address on two interfaces is two hosts).
std::optional<std::string> CanonicalIpAddress(const std::string& text);

struct ConfigSources {
  std::optional<std::string> flag_data;
  std::optional<std::string> flag_listen;
  std::optional<std::string> flag_config_file;
  std::optional<std::string> flag_backup_dir;
  // Environment lookup; injectable for tests. Defaults to getenv.
  std::map<std::string, std::string> environment;
  bool use_process_environment = true;
};

Result<ServerConfig> LoadServerConfig(const ConfigSources& sources);

// Splits "host:port" (or "[v6]:port"). Refuses ports outside 0..65535.
Status ParseListenAddress(const std::string& listen, std::string* host, int* port);

}  // namespace arkwiki
