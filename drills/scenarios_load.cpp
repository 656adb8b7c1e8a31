// Scenario 6: a backup taken while writers keep changing the wiki must
// hold one consistent point in time (see load_writers.h).
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "arkwiki/core/hash.h"
#include "arkwiki/process/http_client.h"
#include "capture.h"
#include "load_writers.h"
#include "state_diff.h"

namespace arkwiki::drill {
namespace {

constexpr int kPagesPerWriter = 5;

std::string LoadSlug(int writer, int64_t seq) {
  return "load-w" + std::to_string(writer) + "-" + std::to_string(seq % kPagesPerWriter);
}
std::string LoadText(int writer, int64_t seq) {
  return "writer " + std::to_string(writer) + " write " + std::to_string(seq);
}

}  // namespace

void RunWriter(int port, const std::string& token, int id, Writer* w, std::atomic<bool>* stop) {
  process::HttpClient client(port, token);
  for (int64_t seq = 1; !*stop; ++seq) {
    Status s;
    if (seq % 8 == 0) {
      s = client
              .Upload(LoadSlug(id, 0),
                      "w" + std::to_string(id) + "-" + std::to_string(seq) + ".txt",
                      LoadText(id, seq))
              .status();
    } else {
      Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
      body->set("title", LoadSlug(id, seq));
      body->set("markdown", LoadText(id, seq));
      s = client.Json("PUT", "/api/pages/" + LoadSlug(id, seq), body).status();
    }
    if (!s.ok()) {
      w->error = s.ToString();
      return;
    }
    w->acked = seq;
  }
}

namespace {

// The write numbers of writer `id` that the captured state holds.
std::set<int64_t> WritesPresent(const fixture::WikiState& state, int id, int64_t max_seq) {
  std::map<std::string, int64_t> by_hash;
  for (int64_t seq = 1; seq <= max_seq; ++seq) by_hash[Sha256Hex(LoadText(id, seq))] = seq;
  std::set<int64_t> present;
  for (int page = 0; page < kPagesPerWriter; ++page) {
    auto it = state.pages.find(LoadSlug(id, page));
    if (it == state.pages.end()) continue;
    for (const auto& r : it->second.revisions) {
      auto seq = by_hash.find(r.markdown_sha256);
      if (seq != by_hash.end()) present.insert(seq->second);
    }
    for (const auto& u : it->second.uploads) {
      auto seq = by_hash.find(u.sha256);
      if (seq != by_hash.end()) present.insert(seq->second);
    }
  }
  return present;
}

// Checks the prefix property and the bounds; returns K.
int64_t CheckPrefix(const std::set<int64_t>& present, int id, int64_t before, int64_t after,
                    Verdict* v) {
  const int64_t k = present.empty() ? 0 : *present.rbegin();
  if (static_cast<int64_t>(present.size()) != k) {
    v->data_lost = true;
    v->Fail("writer " + std::to_string(id) + ": the archive holds writes up to " +
            std::to_string(k) + " but only " + std::to_string(present.size()) +
            " of them: not one point in time");
  }
  if (k < before || k > after + 1) {
    v->Fail("writer " + std::to_string(id) + ": the archive holds " + std::to_string(k) +
            " writes; acknowledged before the backup " + std::to_string(before) + ", after " +
            std::to_string(after));
  }
  return k;
}

Status TakeBackup(DrillContext& ctx, const std::string& path, const Prepared& p,
                  const std::string& token, const std::string& out) {
  if (path == "cli") return ctx.Backup(p.data, out);
  process::HttpClient client(p.server->port(), token);
  ARKWIKI_ASSIGN_OR_RETURN(int status, client.DownloadToFile("POST", "/api/backups", out));
  if (status != 200) return Status::IoError("POST /api/backups answered " + std::to_string(status));
  return Status::Ok();
}

}  // namespace

void VerifyArchiveUnderLoad(DrillContext& ctx, const Golden& g, const std::string& dir,
                            const std::string& archive, const int64_t* before, const int64_t* after,
                            Verdict* v) {
  // Restored into an initialised install: this scenario judges the
  // archive, not restoring into an empty directory (scenario 5 does).
  const std::string restored = dir + "/restored";
  DRILL_CHECK(ctx.FreshInstall(restored).status());
  RestoreRun run = ctx.RestoreCli(restored, archive);
  v->restore_seconds = run.seconds;
  if (run.exit_code != 0) return v->Fail("restoring the archive taken under load: " + run.message);
  DRILL_ASSIGN(ServerPtr server, ctx.Serve(restored));
  DRILL_ASSIGN(fixture::WikiState state,
               fixture::CaptureState(server->port(), g.fp.admin_token(), g.fp.tokens));
  fixture::DiffOptions options;
  options.exclude_slug_prefixes = {"load-"};
  v->RecordDiff("seeded content in the archive taken under load",
                fixture::DiffStates(g.fp.state, state, options));
  for (int i = 0; i < kWriters; ++i) {
    const int64_t k = CheckPrefix(WritesPresent(state, i, after[i] + 1), i, before[i], after[i], v);
    v->Note("writer " + std::to_string(i) + ": the archive holds writes 1.." + std::to_string(k));
  }
}

namespace {

void BackupUnderLoad(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "backup-under-load"));
  std::atomic<bool> stop{false};
  Writer writers[kWriters];
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back(RunWriter, p.server->port(), g.fp.admin_token(), i, &writers[i], &stop);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // load is running
  int64_t before[kWriters], after[kWriters];
  for (int i = 0; i < kWriters; ++i) before[i] = writers[i].acked;
  const std::string loaded = p.dir + "/under-load.zip";
  const double start = NowMs();
  Status backed_up = TakeBackup(ctx, path, p, g.fp.admin_token(), loaded);
  const double backup_ms = NowMs() - start;
  for (int i = 0; i < kWriters; ++i) after[i] = writers[i].acked;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
  DRILL_CHECK(backed_up);
  for (int i = 0; i < kWriters; ++i) {
    if (!writers[i].error.empty()) v->Fail("writer " + std::to_string(i) + ": " + writers[i].error);
    v->Note("writer " + std::to_string(i) + ": " + std::to_string(before[i]) + " writes before, " +
            std::to_string(after[i]) + " after the " + std::to_string(static_cast<int>(backup_ms)) +
            " ms backup");
  }
  VerifyArchiveUnderLoad(ctx, g, p.dir, loaded, before, after, v);
}

}  // namespace

std::vector<Scenario> LoadScenarios() {
  return {{6,
           "backup-under-load",
           "backup under concurrent write load",
           {"cli", "http"},
           BackupUnderLoad}};
}

}  // namespace arkwiki::drill
