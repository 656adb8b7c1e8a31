#include "repository/point_json.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <sstream>

#include "format/manifest_parser.h"
#include "repository/manifest_chunks.h"

namespace arkwiki {
namespace {

using Poco::JSON::Object;

std::string Stringify(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 2);
  return out.str() + "\n";
}

Object::Ptr NewObject() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// The object `text` holds; nullptr when it is not a JSON object.
Object::Ptr ParseObject(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
    return nullptr;
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::string FormatJson(int version, bool encrypted) {
  Object::Ptr o = NewObject();
  o->set("format", std::string(kRepositoryFormatName));
  o->set("format_version", version);
  if (encrypted) o->set("encryption", std::string(kRepositoryCipher));
  return Stringify(o);
}

}  // namespace

std::string RepositoryJson(bool encrypted) {
  return FormatJson(kRepositoryFormatVersion, encrypted);
}

Result<RepositoryFormat> ParseRepositoryJson(const std::string& text) {
  Object::Ptr o = ParseObject(text);
  try {
    if (o && o->getValue<std::string>("format") == kRepositoryFormatName) {
      RepositoryFormat format;
      format.version = o->getValue<int>("format_version");
      if (format.version > kRepositoryFormatVersion) {
        return Status::Unsupported("the backup repository has format version " +
                                   std::to_string(format.version) + "; this arkwiki reads up to " +
                                   std::to_string(kRepositoryFormatVersion));
      }
      format.encrypted = o->has("encryption");
      // Encrypted from version 3 on; version 3 is always encrypted.
      if ((format.encrypted && format.version < kEncryptedFormatVersion) ||
          (!format.encrypted && format.version == kEncryptedFormatVersion) ||
          (format.encrypted && o->getValue<std::string>("encryption") != kRepositoryCipher)) {
        return Status::Unsupported(
            "the backup repository's encryption is not one this arkwiki "
            "reads (" +
            std::string(kRepositoryCipher) + " from format version " +
            std::to_string(kEncryptedFormatVersion) + " on)");
      }
      return format;
    }
  } catch (const Poco::Exception&) {
    // Falls through to the refusal below.
  }
  return Status::Corruption("repository.json does not describe an arkwiki backup repository");
}

Status CheckRepositoryJson(const std::string& text) { return ParseRepositoryJson(text).status(); }

Status UpgradeRepositoryFormat(Env* env, const RepoLayout& repo, int version) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, repo.format_file, 1 << 20));
  Result<RepositoryFormat> format = ParseRepositoryJson(text);
  ARKWIKI_RETURN_IF_ERROR(format.status().WithContext(repo.format_file));
  // Each version reads everything the ones before it wrote.
  if (format->version >= version) return Status::Ok();
  return WriteFileAtomically(env, repo.format_file, FormatJson(version, format->encrypted));
}

std::string PointMetaJson(const SnapshotInfo& info) {
  Object::Ptr o = NewObject();
  o->set("id", info.id);
  o->set("created", static_cast<Poco::Int64>(info.created));
  o->set("trigger", std::string(SnapshotTriggerName(info.trigger)));
  o->set("made_by", info.made_by);
  o->set("label", info.label);
  o->set("total_bytes", static_cast<Poco::UInt64>(info.total_bytes));
  o->set("new_bytes", static_cast<Poco::UInt64>(info.new_bytes));
  o->set("file_count", static_cast<Poco::UInt64>(info.file_count));
  return Stringify(o);
}

Result<SnapshotInfo> ParsePointMeta(const std::string& text) {
  Object::Ptr o = ParseObject(text);
  if (!o) return Status::Corruption("restore-point.json is not a JSON object");
  SnapshotInfo info;
  try {
    info.id = o->getValue<std::string>("id");
    info.created = o->getValue<Poco::Int64>("created");
    auto trigger = ParseSnapshotTrigger(o->getValue<std::string>("trigger"));
    if (!trigger.ok())
      return Status::Corruption("restore-point.json: " + trigger.status().message());
    info.trigger = *trigger;
    info.made_by = o->getValue<std::string>("made_by");
    info.label = o->getValue<std::string>("label");
    info.total_bytes = o->getValue<Poco::UInt64>("total_bytes");
    info.new_bytes = o->getValue<Poco::UInt64>("new_bytes");
    info.file_count = o->getValue<Poco::UInt64>("file_count");
  } catch (const Poco::Exception& e) {
    return Status::Corruption("restore-point.json: " + e.displayText());
  }
  return info;
}

std::string CheckJson(const CheckStatus& check) {
  Object::Ptr o = NewObject();
  o->set("status", std::string(CheckStateName(check.state)));
  o->set("checked_at", static_cast<Poco::Int64>(check.checked_at));
  o->set("message", check.message);
  return Stringify(o);
}

CheckStatus ParseCheckJson(const std::string& text) {
  CheckStatus check;
  Object::Ptr o = ParseObject(text);
  if (!o) return check;
  try {
    const auto status = o->getValue<std::string>("status");
    if (status != "passed" && status != "failed") return check;
    check.state = status == "passed" ? CheckStatus::State::kPassed : CheckStatus::State::kFailed;
    check.checked_at = o->getValue<Poco::Int64>("checked_at");
    check.message = o->getValue<std::string>("message");
  } catch (const Poco::Exception&) {
    return CheckStatus{};
  }
  return check;
}

Result<bool> PointIsComplete(Env* env, const std::string& dir) {
  ARKWIKI_ASSIGN_OR_RETURN(bool whole, env->FileExists(JoinPath(dir, kPointManifest)));
  if (whole) return true;
  return env->FileExists(JoinPath(dir, kManifestChunksPath));
}

Result<std::vector<std::string>> ListPointIds(Env* env, const RepoLayout& repo) {
  std::vector<std::string> ids;
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.snapshots));
  if (!exists) return ids;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env->ListDir(repo.snapshots));
  for (const DirEntry& e : entries) {
    if (e.type != DirEntry::Type::kDir || !IsSnapshotId(e.name)) continue;
    ARKWIKI_ASSIGN_OR_RETURN(bool complete, PointIsComplete(env, repo.SnapshotDir(e.name)));
    if (complete) ids.push_back(e.name);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<SnapshotInfo> ReadPointInfo(Env* env, const RepoLayout& repo, const std::string& id) {
  const std::string dir = repo.SnapshotDir(id);
  ARKWIKI_ASSIGN_OR_RETURN(std::string meta,
                           ReadFileToString(env, JoinPath(dir, kPointMeta), 1 << 20));
  Result<SnapshotInfo> info = ParsePointMeta(meta);
  if (!info.ok()) return info.status().WithContext("restore point " + id);
  info->id = id;  // the directory's name is what the repository goes by
  const std::string check_path = JoinPath(dir, kPointCheck);
  ARKWIKI_ASSIGN_OR_RETURN(bool checked, env->FileExists(check_path));
  if (checked) {
    // Unreadable (in an encrypted repository: failing to decrypt) counts
    // as unknown, like text that is not a check.json: a check rewrites it.
    Result<std::string> text = ReadFileToString(env, check_path, 1 << 20);
    if (!text.ok() && text.status().code() != StatusCode::kCorruption) return text.status();
    if (text.ok()) info->check = ParseCheckJson(*text);
  }
  return info;
}

Result<Manifest> ReadPointManifest(Env* env, const std::string& dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(JoinPath(dir, kPointManifest)));
  return ParseManifestFile(*file);
}

Result<Manifest> ReadPointManifest(Env* env, const std::string& dir, ManifestFileStore* files) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(JoinPath(dir, kPointManifest)));
  return ParseManifestFile(*file, files);
}

}  // namespace arkwiki
