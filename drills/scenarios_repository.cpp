// Scenario 14: time travel through the repository of restore points.
// Seed, snapshot, change, snapshot, ... while the server runs; then restore
// each restore point (exported as an archive, or directly with
// `backup restore --snapshot`) and diff it against the fingerprint taken
// at its time.
#include <Poco/JSON/Object.h>

#include "arkwiki/process/http_client.h"
#include "capture.h"
#include "scenario_util.h"

namespace arkwiki::drill {
namespace {

constexpr int kRounds = 3;

// A change of its own per round: a new page with an upload, and an edit of
// the previous round's page, so that every restore point differs.
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

// `arkwiki backup snapshot` on the served data; the new id.
Result<std::string> Snapshot(DrillContext& ctx, const std::string& data) {
  ARKWIKI_ASSIGN_OR_RETURN(auto r, ctx.Arkwiki({"backup", "snapshot", "--data", data, "--json"}));
  if (r.exit_code != 0) {
    return Status::IoError("backup snapshot exited " + std::to_string(r.exit_code) + ": " + r.err);
  }
  const std::string key = "\"id\":\"";
  const size_t at = r.out.find(key);
  if (at == std::string::npos) return Status::Corruption("no id in: " + r.out);
  return r.out.substr(at + key.size(), r.out.find('"', at + key.size()) - at - key.size());
}

void TimeTravel(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "time-travel"));
  std::vector<std::pair<std::string, fixture::Fingerprint>> points;
  fixture::Fingerprint fp = g.fp;
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) {
      DRILL_ASSIGN(fp, ChangeRound(p.server->port(), fp, round));
    }
    DRILL_ASSIGN(std::string id, Snapshot(ctx, p.data));
    points.emplace_back(id, fp);
  }
  v->Note("wrote " + std::to_string(points.size()) + " restore points while serving");
  // Oldest first, so that every restore goes back or forth in time.
  for (const auto& [id, expected] : points) {
    const std::string archive = p.dir + "/" + id + ".zip";
    DRILL_ASSIGN(auto exported, ctx.Arkwiki({"backup", "export", "--data", p.data, "--snapshot", id,
                                             "--out", archive}));
    if (exported.exit_code != 0) return v->Fail("backup export " + id + ": " + exported.err);
    RestoreAndCheck(ctx, expected, path, p.data, archive, p.server, g.fp.admin_token(), -1, v);
    if (v->result == "fail") return v->Note("restore point " + id + " did not come back");
  }
}

}  // namespace

std::vector<Scenario> RepositoryScenarios() {
  return {
      {14, "time-travel", "restore each of several restore points", {"cli", "http"}, TimeTravel},
  };
}

}  // namespace arkwiki::drill
