// Restorer::Recover and the safety-backup list.
#include "restore/restore_recover.h"

#include <algorithm>

#include "arkwiki/backup/restore.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "restore/intent_marker.h"
#include "restore/restore_files.h"

namespace arkwiki {
namespace {}  // namespace

Status KeepOldData(Env* env, const DataDirLayout& layout, const IntentMarker& marker) {
  if (marker.keep_old_as.empty()) return Status::Ok();
  const std::string dir = StagingDir(layout, marker.staging_id);
  const std::string target = JoinPath(layout.safety, marker.keep_old_as);
  ARKWIKI_ASSIGN_OR_RETURN(bool moved, env->FileExists(target));
  if (moved) return Status::Ok();
  // The exchange leaves the old data where the staged data was; the
  // two-rename fallback leaves it in "old".
  std::string old = JoinPath(dir, "old");
  ARKWIKI_ASSIGN_OR_RETURN(bool fallback, env->FileExists(old));
  if (!fallback) old = StagedLive(layout, marker.staging_id);
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(layout.safety));
  ARKWIKI_RETURN_IF_ERROR(env->Rename(old, target));
  ARKWIKI_RETURN_IF_ERROR(env->SyncDir(layout.safety));
  return env->SyncDir(dir);
}

Status FinishOrRollBack(Env* env, const DataDirLayout& layout, const IntentMarker& marker) {
  const std::string dir = StagingDir(layout, marker.staging_id);
  auto live_generation = ReadFileToString(env, JoinPath(layout.live, kGenerationFile), 4096);
  ARKWIKI_ASSIGN_OR_RETURN(bool live_exists, env->FileExists(layout.live));
  if (live_generation.ok() && *live_generation == marker.generation + "\n") {
    LogInfo("recovery: the interrupted import had swapped its data in; finishing it");
    ARKWIKI_RETURN_IF_ERROR(KeepOldData(env, layout, marker));
  } else if (!live_exists) {
    // Interrupted between the two renames of the fallback swap: put the
    // old data back.
    LogInfo("recovery: the interrupted import had moved the old data aside; restoring it");
    ARKWIKI_RETURN_IF_ERROR(env->Rename(JoinPath(dir, "old"), layout.live));
    ARKWIKI_RETURN_IF_ERROR(env->SyncDir(layout.root));
  } else {
    LogInfo("recovery: the interrupted import had not swapped; keeping the current data");
  }
  ARKWIKI_RETURN_IF_ERROR(env->RemoveFile(layout.intent_marker));
  ARKWIKI_RETURN_IF_ERROR(env->SyncDir(layout.root));
  return env->RemoveTree(dir);
}

Status Restorer::Recover() {
  ARKWIKI_ASSIGN_OR_RETURN(bool marked, env_->FileExists(layout_.intent_marker));
  if (marked) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string text,
                             ReadFileToString(env_, layout_.intent_marker, 1 << 16));
    auto marker = ParseIntent(text);
    if (!marker.ok()) {
      // A marker is written atomically, so a torn one means outside damage:
      // refuse to guess which state is the right one.
      return marker.status().WithContext("cannot recover " + layout_.root + "; inspect it by hand");
    }
    ARKWIKI_RETURN_IF_ERROR(FinishOrRollBack(env_, layout_, *marker));
  }
  // Anything else in staging/ is an import that never reached its commit
  // point, or an uploaded archive awaiting a preview that no one will see.
  ARKWIKI_RETURN_IF_ERROR(env_->RemoveTree(layout_.staging));
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(layout_.staging));
  // Snapshots and uploads that a dead process left half-written.
  ARKWIKI_RETURN_IF_ERROR(env_->RemoveTree(layout_.tmp));
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(layout_.tmp));
  auto safety = env_->ListDir(layout_.safety);
  if (safety.ok()) {
    for (const DirEntry& e : *safety) {
      if (e.name.find(".partial-") != std::string::npos) {
        (void)env_->RemoveFile(JoinPath(layout_.safety, e.name));  // a safety backup cut short
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<SafetyBackup>> Restorer::ListSafetyBackups() {
  std::vector<SafetyBackup> out;
  auto entries = env_->ListDir(layout_.safety);
  if (!entries.ok()) {
    if (entries.status().code() == StatusCode::kNotFound) return out;
    return entries.status();
  }
  const std::string prefix = "arkwiki-safety-";
  for (const DirEntry& e : *entries) {
    if (e.type != DirEntry::Type::kFile || e.name.rfind(prefix, 0) != 0 || e.name.size() < 4 ||
        e.name.compare(e.name.size() - 4, 4, ".zip") != 0) {
      continue;
    }
    SafetyBackup b;
    b.name = e.name;
    b.path = JoinPath(layout_.safety, e.name);
    // arkwiki-safety-YYYY-MM-DDTHHMMSSZ-xxxxxx.zip
    std::string stamp = e.name.substr(prefix.size(), 18);
    if (stamp.size() == 18) {
      b.created_at =
          ParseIsoUtc(stamp.substr(0, 13) + ":" + stamp.substr(13, 2) + ":" + stamp.substr(15, 3));
    }
    auto size = env_->GetFileSize(b.path);
    b.bytes = size.ok() ? *size : 0;
    out.push_back(std::move(b));
  }
  std::sort(out.begin(), out.end(),
            [](const SafetyBackup& a, const SafetyBackup& b) { return a.name > b.name; });
  return out;
}

Status Restorer::PruneSafetyBackups(int64_t retention_days) {
  ARKWIKI_ASSIGN_OR_RETURN(auto backups, ListSafetyBackups());
  const int64_t cutoff = NowUnixSeconds() - retention_days * kSecondsPerDay;
  while (backups.size() > 1 && backups.back().created_at > 0 &&
         backups.back().created_at < cutoff) {
    (void)env_->RemoveFile(backups.back().path);  // a failure only keeps it longer
    backups.pop_back();
  }
  return Status::Ok();
}

}  // namespace arkwiki
