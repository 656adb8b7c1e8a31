#include "arkwiki/backup/verify_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace arkwiki {
namespace {

using Poco::JSON::Object;

Object::Ptr Summary(const Manifest& m) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("format", m.format);
  o->set("format_version", m.format_version);
  o->set("app_version", m.app_version);
  o->set("schema_version", m.schema_version);
  o->set("created_at", m.created_at);
  o->set("site_title", m.site_title);
  o->set("base_url", m.base_url);
  o->set("instance_id", m.instance_id);
  Object::Ptr c = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  c->set("pages", m.counts.pages);
  c->set("revisions", m.counts.revisions);
  c->set("users", m.counts.users);
  c->set("uploads", m.counts.uploads);
  c->set("bytes", m.counts.bytes);
  o->set("counts", c);
  o->set("files", static_cast<Poco::UInt64>(m.files.size()));
  o->set("partial", m.partial());
  Poco::JSON::Array::Ptr omits = new Poco::JSON::Array;
  for (const std::string& part : m.omits) omits->add(part);
  o->set("omits", omits);
  return o;
}

std::string ToString(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out);
  return out.str();
}

}  // namespace

// The numbers of include/arkwiki/cli/cli.h, which this layer cannot include.
int VerifyExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kNoSpace:
    case StatusCode::kPermissionDenied:
    case StatusCode::kIoError:
    case StatusCode::kBusy:
      return 4;
    case StatusCode::kNotFound:
      return 1;
    default:
      return 3;
  }
}

std::string ArchiveContentsText(const Manifest& m) {
  return m.partial() ? "database only (leaves out the upload files)" : "full";
}

std::string VerifyJson(const std::string& file, const Result<VerifyReport>& report, double seconds,
                       int exit_code) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("ok", report.ok());
  o->set("file", file);
  o->set("exit_code", exit_code);
  o->set("seconds", seconds);
  if (!report.ok()) {
    o->set("error", report.status().message());
    o->set("error_code", std::string(StatusCodeName(report.status().code())));
  } else {
    o->set("files_checked", report->files_checked);
    o->set("bytes_checked", report->bytes_checked);
    o->set("archive_bytes", report->archive_bytes);
    o->set("manifest", Summary(report->manifest));
  }
  return ToString(o);
}

std::string ManifestSummaryJson(const Manifest& m) { return ToString(Summary(m)); }

std::string ManifestSummaryText(const Manifest& m) {
  std::ostringstream out;
  out << "format:          " << m.format << " v" << m.format_version << "\n"
      << "contents:        " << ArchiveContentsText(m) << "\n"
      << "created:         " << m.created_at << "\n"
      << "site:            " << m.site_title << " (" << m.base_url << ")\n"
      << "instance:        " << m.instance_id << "\n"
      << "arkwiki version: " << m.app_version << ", schema " << m.schema_version << "\n"
      << "pages:           " << m.counts.pages << "\n"
      << "revisions:       " << m.counts.revisions << "\n"
      << "users:           " << m.counts.users << "\n"
      << "uploads:         " << m.counts.uploads << "\n"
      << "bytes:           " << m.counts.bytes << " in " << m.files.size() << " files\n";
  return out.str();
}

}  // namespace arkwiki
