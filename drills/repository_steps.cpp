#include "repository_steps.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "arkwiki/process/http_client.h"
#include "capture.h"

namespace arkwiki::drill {
namespace {

std::vector<std::string> Cmd(std::vector<std::string> args, const std::vector<std::string>& extra) {
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string Join(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : " ") + id;
  return "[" + out + "]";
}

}  // namespace

Result<fixture::Fingerprint> ChangeRound(int port, const fixture::Fingerprint& before, int round) {
  process::HttpClient admin(port, before.admin_token());
  const std::string slug = "time-travel-" + std::to_string(round);
  Poco::JSON::Object::Ptr page = new Poco::JSON::Object;
  page->set("title", "Time travel " + std::to_string(round));
  page->set("markdown", "Written in round " + std::to_string(round) + ".");
  ARKWIKI_RETURN_IF_ERROR(admin.Json("PUT", "/api/pages/" + slug, page).status());
  ARKWIKI_RETURN_IF_ERROR(
      admin.Upload(slug, "round.txt", "uploaded in round " + std::to_string(round) + "\n")
          .status());
  if (round > 1) {
    Poco::JSON::Object::Ptr edit = new Poco::JSON::Object;
    edit->set("title", "Time travel " + std::to_string(round - 1));
    edit->set("markdown", "Edited in round " + std::to_string(round) + ".");
    ARKWIKI_RETURN_IF_ERROR(
        admin.Json("PUT", "/api/pages/time-travel-" + std::to_string(round - 1), edit).status());
  }
  fixture::Fingerprint changed = before;
  ARKWIKI_ASSIGN_OR_RETURN(changed.state,
                           fixture::CaptureState(port, before.admin_token(), before.tokens));
  return changed;
}

Result<fixture::Fingerprint> AddRoundUpload(int port, const fixture::Fingerprint& before, int round,
                                            const std::string& name, const std::string& data) {
  process::HttpClient admin(port, before.admin_token());
  ARKWIKI_RETURN_IF_ERROR(
      admin.Upload("time-travel-" + std::to_string(round), name, data).status());
  fixture::Fingerprint changed = before;
  ARKWIKI_ASSIGN_OR_RETURN(changed.state,
                           fixture::CaptureState(port, before.admin_token(), before.tokens));
  return changed;
}

Result<std::string> Snapshot(DrillContext& ctx, const std::string& data,
                             const std::vector<std::string>& extra) {
  ARKWIKI_ASSIGN_OR_RETURN(
      auto r, ctx.Arkwiki(Cmd({"backup", "snapshot", "--data", data, "--json"}, extra)));
  if (r.exit_code != 0) {
    return Status::IoError("backup snapshot exited " + std::to_string(r.exit_code) + ": " + r.err);
  }
  const std::string key = "\"id\":\"";
  const size_t at = r.out.find(key);
  if (at == std::string::npos) return Status::Corruption("no id in: " + r.out);
  return r.out.substr(at + key.size(), r.out.find('"', at + key.size()) - at - key.size());
}

Result<std::vector<std::string>> ListPoints(DrillContext& ctx, const std::string& data,
                                            const std::vector<std::string>& extra) {
  ARKWIKI_ASSIGN_OR_RETURN(
      auto r, ctx.Arkwiki(Cmd({"backup", "snapshots", "--data", data, "--json"}, extra)));
  if (r.exit_code != 0) {
    return Status::IoError("backup snapshots exited " + std::to_string(r.exit_code) + ": " + r.err);
  }
  std::vector<std::string> ids;
  try {
    Poco::JSON::Parser parser;
    auto points = parser.parse(r.out).extract<Poco::JSON::Array::Ptr>();
    for (size_t i = 0; i < points->size(); ++i) {
      ids.push_back(points->getObject(static_cast<unsigned>(i))->getValue<std::string>("id"));
    }
  } catch (const Poco::Exception& e) {
    return Status::Corruption("backup snapshots --json: " + e.displayText());
  }
  return ids;
}

void ExpectHealthy(DrillContext& ctx, const std::string& data,
                   const std::vector<std::string>& extra, const std::vector<std::string>& expected,
                   const std::string& when, Verdict* v) {
  auto check = ctx.Arkwiki(Cmd({"backup", "check", "--data", data, "--read-all"}, extra));
  if (!check.ok()) return v->Fail(when + ": backup check: " + check.status().ToString());
  if (check->exit_code != 0) {
    v->Fail(when + ": backup check --read-all exited " + std::to_string(check->exit_code) + ": " +
            check->out.substr(0, 300) + check->err.substr(0, 300));
  }
  auto ids = ListPoints(ctx, data, extra);
  if (!ids.ok()) return v->Fail(when + ": " + ids.status().ToString());
  if (*ids != expected) {
    v->Fail(when + ": the restore points are " + Join(*ids) + ", expected " + Join(expected));
  }
}

std::vector<std::string> IdsOf(const PointList& points) {
  std::vector<std::string> ids;
  for (const auto& point : points) ids.push_back(point.first);
  return ids;
}

void RestoreEachPoint(DrillContext& ctx, const Golden& g, const std::string& path, Prepared& p,
                      const PointList& points, const std::vector<std::string>& extra, Verdict* v) {
  for (const auto& [id, expected] : points) {
    const std::string archive = p.dir + "/" + id + ".zip";
    auto exported = ctx.Arkwiki(
        Cmd({"backup", "export", "--data", p.data, "--snapshot", id, "--out", archive}, extra));
    if (!exported.ok()) return v->Fail("backup export " + id + ": " + exported.status().ToString());
    if (exported->exit_code != 0) return v->Fail("backup export " + id + ": " + exported->err);
    RestoreAndCheck(ctx, expected, path, p.data, archive, p.server, g.fp.admin_token(), -1, v);
    if (v->result == "fail") return v->Note("restore point " + id + " did not come back");
  }
  v->Note(std::to_string(points.size()) + " restore point(s) restored and matched");
}

}  // namespace arkwiki::drill
