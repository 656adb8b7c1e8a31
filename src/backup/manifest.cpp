// manifest.json: writing, parsing and its self-checksum (see archive_format.h).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

const std::string kZeroHash(64, '0');

Object::Ptr CountsToJson(const ManifestCounts& c) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("pages", c.pages);
  o->set("revisions", c.revisions);
  o->set("users", c.users);
  o->set("uploads", c.uploads);
  o->set("bytes", c.bytes);
  return o;
}

std::string Stringify(const Manifest& m, const std::string& checksum) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("format", m.format);
  o->set("format_version", m.format_version);
  o->set("app_version", m.app_version);
  o->set("schema_version", m.schema_version);
  o->set("created_at", m.created_at);
  o->set("site_title", m.site_title);
  o->set("base_url", m.base_url);
  o->set("instance_id", m.instance_id);
  o->set("counts", CountsToJson(m.counts));
  Array::Ptr files = new Array;
  for (const ManifestFile& f : m.files) {
    Object::Ptr e = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    e->set("path", f.path);
    e->set("size", f.size);
    e->set("sha256", f.sha256);
    files->add(e);
  }
  o->set("files", files);
  o->set("manifest_sha256", checksum);
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 1);
  return out.str() + "\n";
}

// Field access that turns Poco's exceptions and type surprises into Corruption.
Result<std::string> GetString(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || !o->get(key).isString()) {
    return Status::Corruption("manifest.json: '" + key + "' is missing or not a string");
  }
  return o->getValue<std::string>(key);
}

Result<int64_t> GetInt(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || !o->get(key).isInteger()) {
    return Status::Corruption("manifest.json: '" + key + "' is missing or not an integer");
  }
  auto v = o->get(key).convert<Poco::Int64>();
  if (v < 0) return Status::Corruption("manifest.json: '" + key + "' is negative");
  return v;
}

Status ParseFiles(const Object::Ptr& o, Manifest* m) {
  Array::Ptr files = o->getArray("files");
  if (files.isNull()) return Status::Corruption("manifest.json: 'files' is missing");
  for (size_t i = 0; i < files->size(); ++i) {
    Object::Ptr f = files->getObject(static_cast<unsigned>(i));
    if (f.isNull()) return Status::Corruption("manifest.json: files[" + std::to_string(i) + "]");
    ManifestFile file;
    ARKWIKI_ASSIGN_OR_RETURN(file.path, GetString(f, "path"));
    ARKWIKI_ASSIGN_OR_RETURN(int64_t size, GetInt(f, "size"));
    file.size = static_cast<uint64_t>(size);
    ARKWIKI_ASSIGN_OR_RETURN(file.sha256, GetString(f, "sha256"));
    if (!IsLowerHex(file.sha256, 64)) {
      return Status::Corruption("manifest.json: bad sha256 for " + file.path);
    }
    m->files.push_back(std::move(file));
  }
  return Status::Ok();
}

Status ParseFields(const Object::Ptr& o, Manifest* m) {
  ARKWIKI_ASSIGN_OR_RETURN(m->format, GetString(o, "format"));
  if (m->format != kArchiveFormatName) {
    return Status::Corruption("this is not an arkwiki backup (format '" + m->format + "')");
  }
  ARKWIKI_ASSIGN_OR_RETURN(int64_t version, GetInt(o, "format_version"));
  if (version > kArchiveFormatVersion) {
    return Status::Unsupported("the backup uses format version " + std::to_string(version) +
                               ", but this arkwiki reads format versions up to " +
                               std::to_string(kArchiveFormatVersion) + "; upgrade arkwiki first");
  }
  if (version < 1) return Status::Corruption("manifest.json: format_version must be >= 1");
  m->format_version = static_cast<int>(version);
  ARKWIKI_ASSIGN_OR_RETURN(m->app_version, GetString(o, "app_version"));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t schema, GetInt(o, "schema_version"));
  m->schema_version = static_cast<int>(schema);
  ARKWIKI_ASSIGN_OR_RETURN(m->created_at, GetString(o, "created_at"));
  ARKWIKI_ASSIGN_OR_RETURN(m->site_title, GetString(o, "site_title"));
  ARKWIKI_ASSIGN_OR_RETURN(m->base_url, GetString(o, "base_url"));
  ARKWIKI_ASSIGN_OR_RETURN(m->instance_id, GetString(o, "instance_id"));
  Object::Ptr counts = o->getObject("counts");
  if (counts.isNull()) return Status::Corruption("manifest.json: 'counts' is missing");
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.pages, GetInt(counts, "pages"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.revisions, GetInt(counts, "revisions"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.users, GetInt(counts, "users"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.uploads, GetInt(counts, "uploads"));
  ARKWIKI_ASSIGN_OR_RETURN(m->counts.bytes, GetInt(counts, "bytes"));
  return ParseFiles(o, m);
}

}  // namespace

std::string SerializeManifest(const Manifest& m) {
  std::string body = Stringify(m, kZeroHash);
  return Stringify(m, Sha256Hex(body));
}

Result<Manifest> ParseManifest(const std::string& bytes) {
  Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(bytes);
    if (v.type() != typeid(Object::Ptr))
      return Status::Corruption("manifest.json is not an object");
    o = v.extract<Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return Status::Corruption("manifest.json is not valid JSON: " + e.message());
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::string claimed, GetString(o, "manifest_sha256"));
  if (!IsLowerHex(claimed, 64)) return Status::Corruption("manifest.json: bad manifest_sha256");
  // The checksum covers the bytes with its own value zeroed.
  size_t at = bytes.rfind("\"" + claimed + "\"");
  if (at == std::string::npos) return Status::Corruption("manifest.json: checksum not found");
  std::string zeroed = bytes;
  zeroed.replace(at + 1, 64, kZeroHash);
  if (Sha256Hex(zeroed) != claimed) {
    return Status::Corruption(
        "manifest.json does not match its checksum: it was altered or "
        "damaged");
  }
  Manifest m;
  ARKWIKI_RETURN_IF_ERROR(ParseFields(o, &m));
  return m;
}

std::string UploadEntryPath(const std::string& sha256) {
  return std::string(kUploadsPrefix) + sha256.substr(0, 2) + "/" + sha256;
}

std::string UploadEntryHash(const std::string& path) {
  const std::string prefix = kUploadsPrefix;
  if (path.size() != prefix.size() + 3 + 64 || path.compare(0, prefix.size(), prefix) != 0) {
    return "";
  }
  std::string shard = path.substr(prefix.size(), 2);
  std::string hash = path.substr(prefix.size() + 3);
  if (path[prefix.size() + 2] != '/' || !IsLowerHex(hash, 64) || hash.compare(0, 2, shard) != 0) {
    return "";
  }
  return hash;
}

}  // namespace arkwiki
