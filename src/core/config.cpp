#include "arkwiki/core/config.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "arkwiki/core/trim.h"

namespace arkwiki {
namespace {

std::optional<std::string> Lookup(const ConfigSources& src, const std::string& name) {
  auto it = src.environment.find(name);
  if (it != src.environment.end()) return it->second;
  if (src.use_process_environment) {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
  }
  return std::nullopt;
}

Status ParseHeadTimeout(const std::string& what, const std::string& value, ServerConfig* config) {
  config->head_timeout_ms = std::atoi(value.c_str());
  if (config->head_timeout_ms < 100 || config->head_timeout_ms > 600000) {
    return Status::InvalidArgument(what + " must be between 100 and 600000");
  }
  return Status::Ok();
}

Status ParseTrustedProxy(const std::string& what, const std::string& value, ServerConfig* config) {
  std::optional<std::string> address = CanonicalIpAddress(value);
  if (!address) {
    return Status::InvalidArgument(what + " must be an IPv4 or IPv6 address, not '" + value + "'");
  }
  config->trusted_proxy = *address;
  return Status::Ok();
}

Status ApplyConfigFile(const std::string& path, bool required, ServerConfig* config) {
  std::ifstream in(path);
  if (!in) {
    if (!required) return Status::Ok();
    return Status::NotFound("cannot read config file " + path);
  }
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    line = std::string(Trim(line.substr(0, line.find('#'))));
    if (line.empty()) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) +
                                     ": expected 'key = value'");
    }
    std::string key(Trim(line.substr(0, eq)));
    std::string value(Trim(line.substr(eq + 1)));
    if (key == "data") {
      config->data_dir = value;
    } else if (key == "listen") {
      config->listen = value;
    } else if (key == "threads") {
      config->threads = std::atoi(value.c_str());
      if (config->threads < 1 || config->threads > 1024) {
        return Status::InvalidArgument(path + ": threads must be between 1 and 1024");
      }
    } else if (key == "backup_dir") {
      config->backup_dir = value;
    } else if (key == "backup_encrypt") {
      if (value != "true" && value != "false") {
        return Status::InvalidArgument(path + ": backup_encrypt must be true or false");
      }
      config->backup_encrypt = value == "true";
    } else if (key == "backup_passphrase_file") {
      config->backup_passphrase_file = value;
    } else if (key == "head_timeout_ms") {
      ARKWIKI_RETURN_IF_ERROR(ParseHeadTimeout(path + ": head_timeout_ms", value, config));
    } else if (key == "trusted_proxy") {
      ARKWIKI_RETURN_IF_ERROR(ParseTrustedProxy(path + ": trusted_proxy", value, config));
    } else {
      // Once, on the way out of the loop: not worth an append chain.
      // NOLINTNEXTLINE(performance-inefficient-string-concatenation)
      return Status::InvalidArgument(path + ":" + std::to_string(line_no) + ": unknown key '" +
                                     key + "'");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const ConfigSources& src) {
  ServerConfig config;
  std::optional<std::string> file = src.flag_config_file;
  bool required = file.has_value();
  if (!file) {
    file = Lookup(src, "ARKWIKI_CONFIG");
    required = file.has_value();
  }
  if (!file) file = "/etc/arkwiki/arkwiki.conf";
  ARKWIKI_RETURN_IF_ERROR(ApplyConfigFile(*file, required, &config));

  if (auto v = Lookup(src, "ARKWIKI_DATA")) config.data_dir = *v;
  if (auto v = Lookup(src, "ARKWIKI_LISTEN")) config.listen = *v;
  if (auto v = Lookup(src, "ARKWIKI_HEAD_TIMEOUT_MS")) {
    ARKWIKI_RETURN_IF_ERROR(ParseHeadTimeout("ARKWIKI_HEAD_TIMEOUT_MS", *v, &config));
  }
  if (auto v = Lookup(src, "ARKWIKI_TRUSTED_PROXY")) {
    ARKWIKI_RETURN_IF_ERROR(ParseTrustedProxy("ARKWIKI_TRUSTED_PROXY", *v, &config));
  }
  if (auto v = Lookup(src, "ARKWIKI_BACKUP_DIR")) config.backup_dir = *v;
  if (src.flag_data) config.data_dir = *src.flag_data;
  if (src.flag_backup_dir) config.backup_dir = *src.flag_backup_dir;
  if (src.flag_listen) config.listen = *src.flag_listen;

  std::string host;
  int port = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseListenAddress(config.listen, &host, &port));
  if (config.data_dir.empty()) return Status::InvalidArgument("the data directory is empty");
  return config;
}

std::optional<std::string> CanonicalIpAddress(const std::string& text) {
  if (text.find('\0') != std::string::npos) return std::nullopt;  // inet_pton stops there
  unsigned char raw[sizeof(struct in6_addr)];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, text.c_str(), raw) != 1) {
    if (inet_pton(AF_INET6, text.c_str(), raw) != 1) return std::nullopt;
    // An IPv4 address mapped into IPv6 (::ffff:a.b.c.d, as an IPv4 peer of
    // an IPv6 socket shows) is that IPv4 address.
    static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(raw, kMapped, sizeof kMapped) != 0) {
      if (inet_ntop(AF_INET6, raw, out, sizeof out) == nullptr) return std::nullopt;
      return std::string(out);
    }
    std::memmove(raw, raw + sizeof kMapped, 4);
  }
  if (inet_ntop(AF_INET, raw, out, sizeof out) == nullptr) return std::nullopt;
  return std::string(out);
}

Status ParseListenAddress(const std::string& listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return Status::InvalidArgument("listen address '" + listen + "' must be HOST:PORT");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string p = listen.substr(colon + 1);
  for (char c : p) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("listen port '" + p + "' is not a number");
    }
  }
  long value = std::strtol(p.c_str(), nullptr, 10);
  if (p.size() > 5 || value > 65535) {
    return Status::InvalidArgument("listen port '" + p + "' is out of range");
  }
  *host = h.empty() ? "0.0.0.0" : h;
  *port = static_cast<int>(value);
  return Status::Ok();
}

}  // namespace arkwiki
