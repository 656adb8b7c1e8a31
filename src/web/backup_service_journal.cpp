// BackupService and the backup journal (arkwiki/backup/backup_journal.h):
// writing an entry for each backup, download, import, undo, restore point,
// prune, check and test restore, reading it back for GET
// /api/backup-journal and Settings, and recalling at start what the
// journal says about the last runs, so that a restart keeps the last
// failure that GET /api/health and Settings show.
#include <algorithm>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"

namespace arkwiki::web {
namespace {

// How far back the start looks for the last runs: the journal keeps about
// 1 MiB per file (a few thousand entries); a week of hourly backups with
// their prunes is well inside this.
constexpr size_t kRecallEntries = 2000;

bool Failed(const JournalEntry& e) { return e.outcome == "failed"; }

}  // namespace

void BackupService::Journal(JournalEntry entry) {
  if (entry.actor.empty()) entry.actor = kSchedulerActor;
  if (entry.time == 0) entry.time = NowUnixSeconds();
  Status s = journal_.Append(entry);
  if (!s.ok()) LogWarning("could not write the backup journal: " + s.ToString());
}

Result<JournalReadResult> BackupService::ReadJournal(size_t offset, size_t limit) {
  ARKWIKI_ASSIGN_OR_RETURN(JournalReadResult read, journal_.ReadNewest(offset + limit));
  auto& entries = read.entries;
  entries.erase(entries.begin(),
                entries.begin() + static_cast<std::ptrdiff_t>(std::min(offset, entries.size())));
  return read;
}

void BackupService::RecordImport(const std::string& kind, const StagedImport& staged,
                                 const std::string& actor, const Result<ImportOutcome>& outcome) {
  const Manifest& m = staged.report.manifest;
  JournalEntry e;
  e.event = kind == "undo" ? "undo" : "import";
  e.actor = actor;
  e.subject = "backup made " + m.created_at;
  e.bytes = static_cast<uint64_t>(std::max<int64_t>(m.counts.bytes, 0));
  if (outcome.ok()) {
    e.duration_ms = static_cast<uint64_t>(outcome->unavailable_millis);
    e.message = "previous data kept as " + SafetyCopyName(*outcome);
  } else {
    e.outcome = "failed";
    e.message = outcome.status().message();
  }
  Journal(std::move(e));
}

void BackupService::RecallFromJournal() {
  auto read = journal_.ReadNewest(kRecallEntries);
  if (!read.ok()) {
    LogWarning("cannot read the backup journal: " + read.status().ToString());
    return;
  }
  bool success = false, failure = false, check = false, test = false, health = false;
  std::lock_guard<std::mutex> guard(status_mu_);
  for (const JournalEntry& e : read->entries) {  // newest first
    const bool scheduled = e.actor == kSchedulerActor;
    if (e.event == "restore_point" && scheduled && !Failed(e) && !success) {
      success = true;
      status_.last_success = e.time;
      status_.last_success_point = e.subject;
      status_.last_duration_seconds = static_cast<double>(e.duration_ms) / 1000.0;
    } else if (e.event == "restore_point" && scheduled && Failed(e) && !failure) {
      failure = true;
      status_.last_failure = e.time;
      status_.last_failure_message = e.message;
    } else if (e.event == "check" && !check) {
      check = true;
      status_.last_check = e.time;
      status_.last_check_passed = !Failed(e);
      status_.last_check_message = e.message;
    } else if (e.event == "test_restore" && !test) {
      test = true;
      status_.last_test_restore = e.time;
      status_.last_test_restore_passed = !Failed(e);
      status_.last_test_restore_message = e.message;
    }
    if (e.event == "offsite_copy") offsite_->Recall(e.subject, !Failed(e), e.time, e.message);
    // Health's last error: the newest failed restore point or test restore
    // (it judges by itself whether a newer good restore point outdates it).
    if (!health && Failed(e) && (e.event == "restore_point" || e.event == "test_restore")) {
      health = true;
      points_.RecordFailure(
          e.time, e.event == "test_restore" ? TestRestoreFailure(e.subject, e.message) : e.message);
    }
  }
}

}  // namespace arkwiki::web
