// The archive of a set that verify_bench and restore_bench read: written
// once with WriteBackupToFile to ARKWIKI_BENCH_DIR/archives/<set>.zip and
// reused while the set's data directory is unchanged.
#pragma once

#include <string>

#include "arkwiki/backup/backup_writer.h"
#include "bench_support.h"

namespace arkwiki::bench {

inline Result<std::string> ArchiveFor(const SetSpec& spec, SetStats* stats) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string dir, SetDirFor(spec, stats));
  Env* env = Env::Default();
  const std::string archives = JoinPath(BenchDir(), "archives");
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(archives));
  const std::string path = JoinPath(archives, spec.Name() + ".zip");
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(path));
  if (!exists) {
    ARKWIKI_RETURN_IF_ERROR(WriteBackupToFile(env, DataDirLayout(dir), path).status());
  }
  return path;
}

}  // namespace arkwiki::bench
