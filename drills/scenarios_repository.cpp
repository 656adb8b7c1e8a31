// Scenario 14: time travel through the repository of restore points.
// Seed, snapshot, change, snapshot, ... while the server runs; then restore
// each restore point (exported as an archive) and diff it against the
// fingerprint taken at its time.
#include "repository_steps.h"

namespace arkwiki::drill {
namespace {

constexpr int kRounds = 3;

void TimeTravel(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "time-travel"));
  PointList points;
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
  RestoreEachPoint(ctx, g, path, p, points, {}, v);
}

}  // namespace

std::vector<Scenario> RepositoryScenarios() {
  return {
      {14, "time-travel", "restore each of several restore points", {"cli", "http"}, TimeTravel},
  };
}

}  // namespace arkwiki::drill
