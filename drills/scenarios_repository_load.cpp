// Scenario 18: restore points taken while editors write. Two writers keep
// editing and uploading over HTTP while three restore points are taken
// (`backup snapshot` beside the server on the cli path; POST
// /api/restore-points, what the server's schedule runs, on the http path).
// Each restore point must hold one point in time (load_writers.h), and a
// last one taken after the writers stopped must equal the wiki exactly.
#include <Poco/JSON/Object.h>

#include <thread>

#include "arkwiki/process/http_client.h"
#include "capture.h"
#include "load_writers.h"
#include "repository_steps.h"

namespace arkwiki::drill {
namespace {

constexpr int kPointsUnderLoad = 3;

// A restore point made by the server itself; its id.
Result<std::string> ServerSnapshot(int port, const std::string& token) {
  process::HttpClient admin(port, token);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("label", "under load");
  ARKWIKI_ASSIGN_OR_RETURN(auto point, admin.Json("POST", "/api/restore-points", body));
  if (!point->has("id")) return Status::Corruption("POST /api/restore-points: no id");
  return point->getValue<std::string>("id");
}

// Waits until every writer has at least `n` acknowledged writes (or one
// stopped with an error), for at most 30 s.
Status WaitForWrites(const Writer* writers, int64_t n) {
  const double deadline = NowMs() + 30000;
  for (;;) {
    bool all = true;
    for (int i = 0; i < kWriters; ++i) {
      if (!writers[i].error.empty()) return Status::IoError("writer: " + writers[i].error);
      all = all && writers[i].acked >= n;
    }
    if (all) return Status::Ok();
    if (NowMs() > deadline) return Status::IoError("the writers made no progress in 30 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct LoadedPoint {
  std::string id;
  int64_t before[kWriters];
  int64_t after[kWriters];
};

void SnapshotUnderLoad(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "snapshot-under-load"));
  const int port = p.server->port();
  std::atomic<bool> stop{false};
  Writer writers[kWriters];
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back(RunWriter, port, g.fp.admin_token(), i, &writers[i], &stop);
  }
  std::vector<LoadedPoint> loaded(kPointsUnderLoad);
  Status taken = Status::Ok();
  for (int n = 0; n < kPointsUnderLoad && taken.ok(); ++n) {
    taken = WaitForWrites(writers, 3 * (n + 1));
    if (!taken.ok()) break;
    for (int i = 0; i < kWriters; ++i) loaded[n].before[i] = writers[i].acked;
    Result<std::string> id =
        path == "cli" ? Snapshot(ctx, p.data) : ServerSnapshot(port, g.fp.admin_token());
    for (int i = 0; i < kWriters; ++i) loaded[n].after[i] = writers[i].acked;
    taken = id.status();
    if (taken.ok()) loaded[n].id = *id;
  }
  stop = true;
  for (auto& t : threads) t.join();
  DRILL_CHECK(taken);
  for (int i = 0; i < kWriters; ++i) {
    if (!writers[i].error.empty()) v->Fail("writer " + std::to_string(i) + ": " + writers[i].error);
  }
  // The quiet wiki's fingerprint, and a restore point of it.
  fixture::Fingerprint quiet = g.fp;
  DRILL_ASSIGN(quiet.state, fixture::CaptureState(port, g.fp.admin_token(), g.fp.tokens));
  DRILL_ASSIGN(std::string last, Snapshot(ctx, p.data));
  std::vector<std::string> expected;
  for (const LoadedPoint& point : loaded) expected.push_back(point.id);
  expected.push_back(last);
  ExpectHealthy(ctx, p.data, {}, expected, "after the restore points under load", v);
  for (int n = 0; n < kPointsUnderLoad && v->result != "fail"; ++n) {
    const std::string dir = p.dir + "/point-" + std::to_string(n);
    const std::string archive = p.dir + "/" + loaded[n].id + ".zip";
    DRILL_ASSIGN(auto exported, ctx.Arkwiki({"backup", "export", "--data", p.data, "--snapshot",
                                             loaded[n].id, "--out", archive}));
    if (exported.exit_code != 0) return v->Fail("backup export: " + exported.err);
    VerifyArchiveUnderLoad(ctx, g, dir, archive, loaded[n].before, loaded[n].after, v);
  }
  if (v->result == "fail") return;
  RestoreEachPoint(ctx, g, path, p, {{last, quiet}}, {}, v);
}

}  // namespace

std::vector<Scenario> RepositoryLoadScenarios() {
  return {{18,
           "snapshot-under-load",
           "restore points taken while two editors write",
           {"cli", "http"},
           SnapshotUnderLoad}};
}

}  // namespace arkwiki::drill
