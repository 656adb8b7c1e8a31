#include "offsite/upload_state.h"

#include <Poco/Dynamic/Var.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>
#include <unistd.h>

#include <sstream>
#include <string_view>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"

namespace arkwiki::s3 {
namespace {

constexpr uint64_t kMaxStateBytes = uint64_t{4} << 20;  // 10,000 parts fit easily
constexpr std::string_view kDamagedPrefix = "s3-damaged-";
constexpr uint64_t kMaxDamagedMarkBytes = 64 << 10;  // a target id and a key

std::string ToJson(const UploadState& state) {
  Poco::JSON::Object root;
  root.set("key", state.key);
  root.set("size", state.size);
  root.set("part_size", state.part_size);
  root.set("upload_id", state.upload_id);
  Poco::JSON::Array parts;
  for (const auto& [number, part] : state.parts) {
    Poco::JSON::Object entry;
    entry.set("number", number);
    entry.set("sha256", part.sha256);
    entry.set("etag", part.etag);
    parts.add(entry);
  }
  root.set("parts", parts);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

// Throws Poco exceptions on a malformed record; the caller converts them.
UploadState FromJson(const std::string& text) {
  Poco::JSON::Parser parser;
  const auto root = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  UploadState state;
  state.key = root->getValue<std::string>("key");
  state.size = root->getValue<uint64_t>("size");
  state.part_size = root->getValue<uint64_t>("part_size");
  state.upload_id = root->getValue<std::string>("upload_id");
  const auto parts = root->getArray("parts");
  for (size_t i = 0; parts && i < parts->size(); ++i) {
    const auto entry = parts->getObject(static_cast<unsigned>(i));
    if (!entry) throw Poco::DataFormatException("a part is not an object");
    state.parts[entry->getValue<int>("number")] = {entry->getValue<std::string>("sha256"),
                                                   entry->getValue<std::string>("etag")};
  }
  return state;
}

}  // namespace

UploadStateStore::UploadStateStore(Env* env, std::string dir, std::string target_id)
    : env_(env), dir_(std::move(dir)), target_id_(std::move(target_id)) {}

std::string UploadStateStore::PathFor(const std::string& key) const {
  return JoinPath(dir_, "s3-upload-" + Sha256Hex(target_id_ + "\n" + key).substr(0, 32) + ".json");
}

// File ownership and modes are metadata the Env does not model.
Status UploadStateStore::PreparePrivateDir() {
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  struct stat st {};
  if (::lstat(dir_.c_str(), &st) != 0) {
    return Status::IoError("cannot inspect the S3 upload state directory " + dir_);
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
    return Status::PermissionDenied(
        "the S3 upload state directory " + dir_ +
        " is a link or belongs to another user; upload state is kept only in a directory of "
        "this user's own (remove it, or choose another)");
  }
  if ((st.st_mode & 022) != 0) {
    return Status::PermissionDenied("the S3 upload state directory " + dir_ +
                                    " is writable by other users, so its upload state cannot be "
                                    "trusted; remove it (arkwiki makes it again, private)");
  }
  if ((st.st_mode & 077) != 0 && ::chmod(dir_.c_str(), 0700) != 0) {
    return Status::PermissionDenied("cannot make " + dir_ + " private (chmod 700)");
  }
  return Status::Ok();
}

Result<UploadState> UploadStateStore::Load(const std::string& key) {
  ARKWIKI_RETURN_IF_ERROR(PreparePrivateDir());
  const std::string path = PathFor(key);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(path));
  if (!exists) return Status::NotFound("no upload state for " + key);
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env_, path, kMaxStateBytes));
  try {
    UploadState state = FromJson(text);
    if (state.key == key && !state.upload_id.empty()) return state;
    LogWarning("S3 upload state " + path + " names another key; starting the upload again");
  } catch (const Poco::Exception& e) {
    LogWarning("S3 upload state " + path + " is damaged (" + e.displayText() +
               "); starting the upload again");
  }
  return Status::NotFound("no usable upload state for " + key);
}

Status UploadStateStore::Save(const UploadState& state) {
  ARKWIKI_RETURN_IF_ERROR(PreparePrivateDir());
  return WriteFileAtomically(env_, PathFor(state.key), ToJson(state));
}

Status UploadStateStore::Remove(const std::string& key) {
  const std::string path = PathFor(key);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(path));
  return exists ? env_->RemoveFile(path) : Status::Ok();
}

}  // namespace arkwiki::s3

namespace arkwiki::s3 {

std::string UploadStateStore::DamagedPathFor(const std::string& key) const {
  return JoinPath(dir_, std::string(kDamagedPrefix) +
                            Sha256Hex(target_id_ + "\n" + key).substr(0, 32) + ".key");
}

// The mark holds the target id and the key, so a listing can name the key
// and leave other targets' marks alone.
Status UploadStateStore::MarkDamaged(const std::string& key) {
  ARKWIKI_RETURN_IF_ERROR(PreparePrivateDir());
  return WriteFileAtomically(env_, DamagedPathFor(key), target_id_ + "\n" + key);
}

Status UploadStateStore::ClearDamaged(const std::string& key) {
  const std::string path = DamagedPathFor(key);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(path));
  return exists ? env_->RemoveFile(path) : Status::Ok();
}

Result<std::set<std::string>> UploadStateStore::DamagedKeys() {
  std::set<std::string> keys;
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(dir_));
  if (!exists) return keys;
  ARKWIKI_RETURN_IF_ERROR(PreparePrivateDir());
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env_->ListDir(dir_));
  const std::string ours = target_id_ + "\n";
  for (const DirEntry& entry : entries) {
    if (entry.type != DirEntry::Type::kFile || entry.name.rfind(kDamagedPrefix, 0) != 0) continue;
    ARKWIKI_ASSIGN_OR_RETURN(
        std::string text, ReadFileToString(env_, JoinPath(dir_, entry.name), kMaxDamagedMarkBytes));
    if (text.compare(0, ours.size(), ours) != 0) continue;  // another target's
    std::string key = text.substr(ours.size());
    // A mark is only ever trusted to hide a key, never to show one, so a
    // stray file can at worst make a copy send an object again.
    if (DamagedPathFor(key) == JoinPath(dir_, entry.name)) keys.insert(std::move(key));
  }
  return keys;
}

}  // namespace arkwiki::s3
