// Backup create, in-process, on the mixed and tiny upload sets:
//   BackupCreate/<set>      WriteBackupToFile, exactly what
//                           `arkwiki backup create --out FILE` runs (temp
//                           name, O_DIRECT 1 MiB blocks, write-back hints
//                           every 64 MiB, one fdatasync, rename, dir sync)
//   BackupCreateNoSink/<set> WriteBackup into a sink that drops the bytes:
//                           snapshot + read + SHA-256 + CRC + deflate with
//                           no archive write, to split read from write cost
//   BackupCreateNoSync/<set> WriteBackup into a plain file, never synced
//                           (what tar does): the cost of durability
//   BackupCreateRangeSync/<set> the same file, with sync_file_range(WRITE)
//                           starting writeback every 64 MiB (waiting only
//                           for the window before) and one fdatasync at the
//                           end: buffered, for comparison with BackupCreate
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "arkwiki/backup/backup_writer.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

class NullSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    bytes_ += data.size();
    return Status::Ok();
  }
  uint64_t bytes_ = 0;
};

// Appends to a file descriptor. With `range_sync`, every 64 MiB window is
// handed to writeback at once and the window before it is waited for, so the
// disk works while the writer goes on and dirty memory stays bounded.
class FdSink final : public ByteSink {
 public:
  FdSink(int fd, bool range_sync) : fd_(fd), range_sync_(range_sync) {}
  Status Write(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IoError("write failed");
      data.remove_prefix(static_cast<size_t>(n));
      written_ += static_cast<uint64_t>(n);
    }
    if (range_sync_ && written_ - window_start_ >= kWindow) {
      ::sync_file_range(fd_, static_cast<off_t>(window_start_),
                        static_cast<off_t>(written_ - window_start_), SYNC_FILE_RANGE_WRITE);
      if (window_start_ >= kWindow) {
        ::sync_file_range(
            fd_, static_cast<off_t>(window_start_ - kWindow), kWindow,
            SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
      }
      window_start_ = written_;
    }
    return Status::Ok();
  }

 private:
  static constexpr uint64_t kWindow = uint64_t{64} << 20;
  int fd_;
  bool range_sync_;
  uint64_t written_ = 0;
  uint64_t window_start_ = 0;
};

void BackupCreateFd(benchmark::State& state, const SetSpec& spec, bool range_sync) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  const DataDirLayout layout(*dir);
  const std::string out = JoinPath(BenchDir(), "backup-create-fd-bench.zip");
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Env::Default()->RemoveFile(out);
    ::sync();
    ResetPeakRss();
    state.ResumeTiming();
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) CheckOk(Status::IoError("cannot create " + out), "open");
    FdSink sink(fd, range_sync);
    CheckOk(WriteBackup(Env::Default(), layout, &sink).status(), "WriteBackup");
    if (range_sync && ::fdatasync(fd) != 0) CheckOk(Status::IoError("fdatasync"), "fdatasync");
    ::close(fd);
    peak = std::max(peak, PeakRssBytes());
  }
  (void)Env::Default()->RemoveFile(out);
  ReportSet(state, stats, peak);
}

void BackupCreate(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  const DataDirLayout layout(*dir);
  const std::string out = JoinPath(BenchDir(), "backup-create-bench.zip");
  uint64_t peak = 0, archive = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Env::Default()->RemoveFile(out);
    ::sync();  // the last iteration's dirty pages must not be written back during this one
    ResetPeakRss();
    state.ResumeTiming();
    auto r = WriteBackupToFile(Env::Default(), layout, out);
    CheckOk(r.status(), "WriteBackupToFile");
    archive = r->archive_bytes;
    peak = std::max(peak, PeakRssBytes());
  }
  (void)Env::Default()->RemoveFile(out);
  ReportSet(state, stats, peak);
  state.counters["archive_MiB"] = static_cast<double>(archive) / (1 << 20);
}

void BackupCreateNoSink(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  const DataDirLayout layout(*dir);
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ResetPeakRss();
    state.ResumeTiming();
    NullSink sink;
    CheckOk(WriteBackup(Env::Default(), layout, &sink).status(), "WriteBackup");
    peak = std::max(peak, PeakRssBytes());
  }
  ReportSet(state, stats, peak);
}

void Register() {
  RegisterPerSet("BackupCreate", BackupCreate);
  RegisterPerSet("BackupCreateNoSink", BackupCreateNoSink);
  RegisterPerSet("BackupCreateNoSync", [](benchmark::State& st, const SetSpec& spec) {
    BackupCreateFd(st, spec, false);
  });
  RegisterPerSet("BackupCreateRangeSync",
                 [](benchmark::State& st, const SetSpec& spec) { BackupCreateFd(st, spec, true); });
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
