#include "arkwiki/backup/offsite_config.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/Util/IniFileConfiguration.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "arkwiki/core/hash.h"

namespace arkwiki {
namespace {

const std::set<std::string> kKeys = {
    "location",     "passphrase", "keep_last",       "keep_daily",        "keep_weekly",
    "keep_monthly", "endpoint",   "region",          "access_key_id",     "secret_access_key",
    "ca_file",      "path_style", "passphrase_file", "prune_grace_hours", "repository_id"};

bool IsName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

// The mode is metadata the Env does not model; reading it changes nothing.
// (A missing file passes: the read that follows reports it.)
Status CheckOffsiteFilePrivate(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::Ok();  // the read reports it
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::PermissionDenied(path +
                                    " holds passphrases and credentials but others may "
                                    "read it; run: chmod 600 " +
                                    path);
  }
  return Status::Ok();
}

Result<std::string> ReadPassphraseFile(Env* env, const std::string& path,
                                       const std::string& where) {
  ARKWIKI_RETURN_IF_ERROR(CheckOffsiteFilePrivate(path).WithContext(where));
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path, 64 << 10));
  if (const size_t eol = text.find('\n'); eol != std::string::npos) text.resize(eol);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.empty()) return Status::InvalidArgument(where + ": " + path + " is empty");
  return text;
}

namespace {

// An off-site repository's id, as OffsiteKey makes it: 32 lowercase hex digits.
Status CheckRepositoryId(const OffsiteTargetConfig& t, const std::string& where) {
  return t.repository_id.empty() || IsLowerHex(t.repository_id, 32)
             ? Status::Ok()
             : Status::InvalidArgument(where + ": repository_id must be 32 lowercase hex digits");
}

Status CheckPruneGrace(const OffsiteTargetConfig& t, const std::string& where) {
  if (t.prune_grace_hours < 0 || t.prune_grace_hours > OffsiteTargetConfig::kMaxPruneGraceHours) {
    return Status::InvalidArgument(where + ": prune_grace_hours must be from 0 to " +
                                   std::to_string(OffsiteTargetConfig::kMaxPruneGraceHours));
  }
  return Status::Ok();
}

Result<OffsiteTargetConfig> ReadSection(Env* env, Poco::Util::AbstractConfiguration& ini,
                                        const std::string& name) {
  const std::string where = "off-site target [" + name + "]";
  if (!IsName(name)) return Status::InvalidArgument(where + ": use a-z, 0-9, _ and - in names");
  Poco::Util::AbstractConfiguration::Keys keys;
  ini.keys(name, keys);
  auto unknown = std::find_if(keys.begin(), keys.end(),
                              [](const std::string& key) { return kKeys.count(key) == 0; });
  if (unknown != keys.end()) {
    return Status::InvalidArgument(where + ": unknown key '" + *unknown + "'");
  }
  OffsiteTargetConfig t;
  t.name = name;
  t.spec.location = ini.getString(name + ".location", "");
  t.passphrase = ini.getString(name + ".passphrase", "");
  t.passphrase_file = ini.getString(name + ".passphrase_file", "");
  if (!t.passphrase.empty() && !t.passphrase_file.empty()) {
    return Status::InvalidArgument(where + ": give passphrase or passphrase_file, not both");
  }
  if (!t.passphrase_file.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(t.passphrase, ReadPassphraseFile(env, t.passphrase_file, where));
  }
  if (t.spec.location.empty() || t.passphrase.empty()) {
    return Status::InvalidArgument(where + " needs a location and a passphrase");
  }
  t.spec.endpoint = ini.getString(name + ".endpoint", "");
  t.spec.region = ini.getString(name + ".region", "");
  t.spec.access_key_id = ini.getString(name + ".access_key_id", "");
  t.spec.secret_access_key = ini.getString(name + ".secret_access_key", "");
  t.spec.ca_file = ini.getString(name + ".ca_file", "");
  t.spec.path_style = ini.getBool(name + ".path_style", true);
  t.retention.keep_last = ini.getInt(name + ".keep_last", t.retention.keep_last);
  t.retention.keep_daily = ini.getInt(name + ".keep_daily", t.retention.keep_daily);
  t.retention.keep_weekly = ini.getInt(name + ".keep_weekly", t.retention.keep_weekly);
  t.retention.keep_monthly = ini.getInt(name + ".keep_monthly", t.retention.keep_monthly);
  ARKWIKI_RETURN_IF_ERROR(ValidateRetention(t.retention).WithContext(where));
  t.prune_grace_hours = ini.getInt(name + ".prune_grace_hours", t.prune_grace_hours);
  ARKWIKI_RETURN_IF_ERROR(CheckPruneGrace(t, where));
  t.repository_id = RepositoryIdAsWritten(ini.getString(name + ".repository_id", ""));
  ARKWIKI_RETURN_IF_ERROR(CheckRepositoryId(t, where));
  return t;
}

// Poco's INI reader takes only ';' comments; AWS's files also use '#'.
std::string WithoutHashComments(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == '#') continue;
    out += line + "\n";
  }
  return out;
}

}  // namespace

Result<S3Credentials> LoadS3CredentialsFile(Env* env, const std::string& path,
                                            const std::string& profile) {
  const std::string section = profile.empty() ? "default" : profile;
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(path));
  if (!exists) return Status::NotFound("no credentials file " + path);
  ARKWIKI_RETURN_IF_ERROR(CheckOffsiteFilePrivate(path));
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path, 1 << 20));
  S3Credentials c;
  try {
    std::istringstream in(WithoutHashComments(text));
    Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini(new Poco::Util::IniFileConfiguration(in));
    Poco::Util::AbstractConfiguration::Keys keys;
    ini->keys(section, keys);
    if (keys.empty()) {
      return Status::NotFound(path + " has no profile [" + section + "]");
    }
    c.access_key_id = ini->getString(section + ".aws_access_key_id", "");
    c.secret_access_key = ini->getString(section + ".aws_secret_access_key", "");
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(path + " is not a credentials file: " + e.displayText());
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::InvalidArgument(path + ": profile [" + section +
                                   "] needs aws_access_key_id and aws_secret_access_key");
  }
  return c;
}

std::string RepositoryIdAsWritten(std::string typed) {
  std::transform(typed.begin(), typed.end(), typed.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return typed;
}

std::string OffsiteConfigPath(const std::string& data_dir) {
  return JoinPath(JoinPath(data_dir, "offsite"), "targets.conf");
}

Result<std::vector<OffsiteTargetConfig>> LoadOffsiteTargets(Env* env, const std::string& path) {
  std::vector<OffsiteTargetConfig> targets;
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(path));
  if (!exists) return targets;
  ARKWIKI_RETURN_IF_ERROR(CheckOffsiteFilePrivate(path));
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path, 1 << 20));
  try {
    std::istringstream in(text);
    Poco::AutoPtr<Poco::Util::IniFileConfiguration> ini(new Poco::Util::IniFileConfiguration(in));
    Poco::Util::AbstractConfiguration::Keys sections;
    ini->keys(sections);
    for (const std::string& name : sections) {
      ARKWIKI_ASSIGN_OR_RETURN(OffsiteTargetConfig t, ReadSection(env, *ini, name));
      targets.push_back(std::move(t));
    }
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.displayText());
  }
  return targets;
}

namespace {

// A value an INI line keeps as it is: one line, no spaces at its ends
// (Poco's reader trims them).
Status CheckValue(const std::string& where, const std::string& key, const std::string& value) {
  if (value.find_first_of("\r\n") != std::string::npos ||
      (!value.empty() && (value.front() == ' ' || value.back() == ' ' || value.front() == '\t' ||
                          value.back() == '\t'))) {
    return Status::InvalidArgument(where + ": " + key +
                                   " must be one line without spaces at its start or end");
  }
  return Status::Ok();
}

void AddLine(std::string* out, const std::string& key, const std::string& value) {
  if (!value.empty()) *out += key + " = " + value + "\n";
}

std::string SectionText(const OffsiteTargetConfig& t) {
  std::string out = "[" + t.name + "]\n";
  AddLine(&out, "location", t.spec.location);
  if (t.passphrase_file.empty()) {
    AddLine(&out, "passphrase", t.passphrase);
  } else {
    AddLine(&out, "passphrase_file", t.passphrase_file);
  }
  out += "keep_last = " + std::to_string(t.retention.keep_last) + "\n";
  out += "keep_daily = " + std::to_string(t.retention.keep_daily) + "\n";
  out += "keep_weekly = " + std::to_string(t.retention.keep_weekly) + "\n";
  out += "keep_monthly = " + std::to_string(t.retention.keep_monthly) + "\n";
  if (t.prune_grace_hours != OffsiteTargetConfig{}.prune_grace_hours) {
    out += "prune_grace_hours = " + std::to_string(t.prune_grace_hours) + "\n";
  }
  AddLine(&out, "endpoint", t.spec.endpoint);
  AddLine(&out, "region", t.spec.region);
  AddLine(&out, "access_key_id", t.spec.access_key_id);
  AddLine(&out, "secret_access_key", t.spec.secret_access_key);
  AddLine(&out, "ca_file", t.spec.ca_file);
  AddLine(&out, "repository_id", t.repository_id);
  if (IsS3Location(t.spec.location)) {
    out += std::string("path_style = ") + (t.spec.path_style ? "true" : "false") + "\n";
  }
  return out;
}

}  // namespace

Status ValidateOffsiteTarget(const OffsiteTargetConfig& t) {
  const std::string where = "off-site target [" + t.name + "]";
  if (!IsName(t.name)) return Status::InvalidArgument(where + ": use a-z, 0-9, _ and - in names");
  if (t.spec.location.empty()) return Status::InvalidArgument(where + " needs a location");
  if (t.passphrase.empty() && t.passphrase_file.empty()) {
    return Status::InvalidArgument(where + " needs a passphrase");
  }
  const std::pair<const char*, const std::string*> values[] = {
      {"location", &t.spec.location},
      {"passphrase", &t.passphrase},
      {"passphrase_file", &t.passphrase_file},
      {"endpoint", &t.spec.endpoint},
      {"region", &t.spec.region},
      {"access_key_id", &t.spec.access_key_id},
      {"secret_access_key", &t.spec.secret_access_key},
      {"ca_file", &t.spec.ca_file}};
  for (const auto& [key, value] : values) ARKWIKI_RETURN_IF_ERROR(CheckValue(where, key, *value));
  if (IsS3Location(t.spec.location) && t.spec.endpoint.empty()) {
    return Status::InvalidArgument(where + ": an s3:// target needs an endpoint URL");
  }
  if (!IsS3Location(t.spec.location) && t.spec.location.front() != '/') {
    return Status::InvalidArgument(where + ": give the directory as an absolute path");
  }
  ARKWIKI_RETURN_IF_ERROR(CheckPruneGrace(t, where));
  ARKWIKI_RETURN_IF_ERROR(CheckRepositoryId(t, where));
  return ValidateRetention(t.retention).WithContext(where);
}

// The directory and the file modes are metadata the Env does not model: the
// directory is made private before the file is written into it, so the
// temporary file WriteFileAtomically makes is never readable by others.
Status SaveOffsiteTargets(Env* env, const std::string& path,
                          const std::vector<OffsiteTargetConfig>& targets) {
  std::string text =
      "; Off-site targets (docs/offsite.md). Settings -> Backup & Import rewrites this file.\n";
  for (const OffsiteTargetConfig& t : targets) {
    ARKWIKI_RETURN_IF_ERROR(ValidateOffsiteTarget(t));
    text += "\n" + SectionText(t);
  }
  const std::string dir = DirName(path);
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(dir));
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Status::PermissionDenied("cannot make " + dir + " private (chmod 700)");
  }
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, path, text));
  if (::chmod(path.c_str(), 0600) != 0) {
    return Status::PermissionDenied("cannot make " + path + " private (chmod 600)");
  }
  return Status::Ok();
}

}  // namespace arkwiki
