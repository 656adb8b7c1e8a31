// BackupService's off-site copies: each new restore point is copied in the
// background to every target of targets.conf, journaled, and shown per
// target in health and /metrics; a failing target turns red there and in
// the webhook. The webhook's network is a fake; the targets are real
// directories.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "app.h"
#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/backup/directory_target.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/core/clock.h"
#include "backup_service.h"
#include "handlers_metrics.h"
#include "metrics_text.h"
#include "support/backed_up_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "web/recording_poster.h"

namespace arkwiki::web {
namespace {

constexpr auto kDeadline = std::chrono::seconds(120);

// Once armed with a directory, stalls the second file created under it (a
// new directory target's first object: the key object is the first) until
// Release(), after telling WaitUntilStalled() that it has begun.
class StallingEnv : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  void StallSecondFileUnder(const std::string& dir) { dir_ = dir + "/"; }
  void WaitUntilStalled() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    if (!dir_.empty() && p.rfind(dir_, 0) == 0 && ++created_ == 2) {
      entered_.set_value();
      release_.get_future().wait();
    }
    return target()->NewWritableFile(p, m);
  }

 private:
  std::string dir_;  // set before the copy thread starts
  std::atomic<int> created_{0};
  std::promise<void> entered_;
  std::promise<void> release_;
};

class BackupOffsiteServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedArchiveAndLive(source_, dir_.Sub("a.zip"), live_);
    if (HasFatalFailure()) return;
    auto storage = Storage::Open(Env::Default(), live_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    app_ = std::make_unique<WikiApp>(&env_, std::move(storage).value());
    auto poster = std::make_unique<RecordingPoster>();
    poster_ = poster.get();
    app_->backup().SetScheduleSeams([] { return NowUnixSeconds(); }, std::move(poster));
    ASSERT_TRUE(
        app_->storage().settings().Update({{"backup_webhook_url", "http://hooks.test/a"}}).ok());
  }
  BackupService& backup() { return app_->backup(); }
  void AddTarget(const std::string& name, const std::string& location) {
    OffsiteTargetConfig t;
    t.name = name;
    t.spec.location = location;
    t.passphrase = "correct horse";
    ASSERT_TRUE(backup().offsite().Save(t, false).ok());
  }
  // A restore point, and the copy run it starts, finished.
  std::string PointCopied() {
    auto point = backup().CreatePoint("admin", "");
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    EXPECT_TRUE(backup().offsite().WaitIdle(kDeadline));
    return point.ok() ? point->id : "";
  }
  OffsiteTargetStatus Status(const std::string& name) {
    for (const OffsiteTargetStatus& s : backup().OffsiteStatuses()) {
      if (s.name == name) return s;
    }
    ADD_FAILURE() << "no status for " << name;
    return {};
  }
  std::vector<JournalEntry> Journal(const std::string& event) {
    BackupJournal journal(Env::Default(), BackupJournal::JournalDir(app_->layout().root));
    auto read = journal.ReadNewest(100);
    std::vector<JournalEntry> out;
    for (const JournalEntry& e : read.ok() ? read->entries : std::vector<JournalEntry>{}) {
      if (e.event == event) out.push_back(e);
    }
    return out;
  }

  StallingEnv env_{Env::Default()};
  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  RecordingPoster* poster_ = nullptr;
  std::unique_ptr<WikiApp> app_;
};

TEST_F(BackupOffsiteServiceTest, EachNewPointIsCopiedToADirectoryTargetAndJournaled) {
  AddTarget("nas", dir_.Sub("nas"));
  const std::string first = PointCopied();
  OffsiteTargetStatus s = Status("nas");
  EXPECT_GT(s.last_success, 0);
  EXPECT_EQ(s.points.count(first), 1u);
  EXPECT_TRUE(s.checked);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("nas") + "/key"));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("nas") + "/snapshots/" + first));
  const std::string second = PointCopied();
  s = Status("nas");
  EXPECT_EQ(s.points.count(second), 1u);
  auto journaled = Journal("offsite_copy");
  ASSERT_EQ(journaled.size(), 2u);
  EXPECT_EQ(journaled[0].subject, "nas");
  EXPECT_EQ(journaled[0].outcome, "ok");
  const BackupHealth health = backup().Health();
  ASSERT_EQ(health.offsite.size(), 1u);
  EXPECT_EQ(health.offsite[0].status, "ok");
  const BackupMetrics m = metrics::CollectBackupMetrics(backup(), app_->settings());
  ASSERT_EQ(m.offsite.size(), 1u);
  EXPECT_TRUE(m.offsite[0].healthy);
  EXPECT_GT(m.offsite[0].last_success_time, 0);
}

TEST_F(BackupOffsiteServiceTest, AnEncryptedRepositorysPointsAreCopiedWithItsKey) {
  RepositoryOptions options;
  options.encrypt = true;
  options.passphrase = "local phrase";
  options.kdf = KdfParams::ForTests();
  backup().points().SetOptions(options);
  ASSERT_TRUE(backup().points().Open().ok());
  AddTarget("nas", dir_.Sub("nas"));
  const std::string id = PointCopied();
  const OffsiteTargetStatus s = Status("nas");
  EXPECT_EQ(s.failures_total, 0u) << s.last_error;
  EXPECT_EQ(s.points.count(id), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("nas") + "/snapshots/" + id));
}

// Shutting down while a copy waits on a slow target does not wait for the
// target: the copy stops at its next object, journaled as cancelled (no
// alert), with no record on the target, and the next target is not started.
TEST_F(BackupOffsiteServiceTest, ShutdownCancelsACopyWaitingOnItsTargetAndJournalsIt) {
  AddTarget("nas", dir_.Sub("nas"));
  AddTarget("usb", dir_.Sub("usb"));
  env_.StallSecondFileUnder(dir_.Sub("nas"));
  auto point = backup().CreatePoint("admin", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  env_.WaitUntilStalled();
  const Cancellation& stopping = backup().offsite().cancellation();
  std::thread stopper([this] { backup().Shutdown(); });
  EXPECT_EQ(stopping.SleepFor(kDeadline).code(), StatusCode::kCancelled);
  env_.Release();
  stopper.join();
  const auto journaled = Journal("offsite_copy");
  ASSERT_EQ(journaled.size(), 1u) << "usb is not started";
  EXPECT_EQ(journaled[0].subject, "nas");
  EXPECT_EQ(journaled[0].outcome, "failed");
  EXPECT_NE(journaled[0].message.find("cancelled: server stopping"), std::string::npos)
      << journaled[0].message;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("nas") + "/snapshots/" + point->id));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("usb")));
  backup().notifier().WaitIdle();
  for (const std::string& post : poster_->posts()) {
    EXPECT_EQ(post.find("offsite_copy_failed"), std::string::npos) << post;
  }
}

TEST_F(BackupOffsiteServiceTest, AFailingTargetIsRedInHealthMetricsJournalAndWebhook) {
  testing::WriteFileOrDie(dir_.Sub("a-file"), "");
  AddTarget("broken", dir_.Sub("a-file") + "/target");
  AddTarget("nas", dir_.Sub("nas"));
  const std::string id = PointCopied();
  // The other target is copied all the same.
  EXPECT_EQ(Status("nas").points.count(id), 1u);
  const OffsiteTargetStatus s = Status("broken");
  EXPECT_EQ(s.failures_total, 1u);
  EXPECT_FALSE(s.last_error.empty());
  const BackupHealth health = backup().Health();
  ASSERT_EQ(health.offsite.size(), 2u);
  EXPECT_EQ(health.offsite[0].target, "broken");
  EXPECT_EQ(health.offsite[0].status, "failing");
  EXPECT_FALSE(health.offsite[0].last_error.empty());
  EXPECT_EQ(health.offsite[1].status, "ok");
  const std::string text = MetricsText(metrics::CollectBackupMetrics(backup(), app_->settings()));
  EXPECT_NE(text.find("arkwiki_offsite_failures_total{target=\"broken\"} 1\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("arkwiki_offsite_healthy{target=\"broken\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("arkwiki_offsite_healthy{target=\"nas\"} 1\n"), std::string::npos);
  bool journaled = false;
  for (const JournalEntry& e : Journal("offsite_copy")) {
    journaled |= e.subject == "broken" && e.outcome == "failed";
  }
  EXPECT_TRUE(journaled);
  backup().notifier().WaitIdle();
  const auto posts = poster_->posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_NE(posts[0].find("\"event\":\"offsite_copy_failed\""), std::string::npos) << posts[0];
  EXPECT_NE(posts[0].find("\"target\":\"broken\""), std::string::npos) << posts[0];
}

TEST_F(BackupOffsiteServiceTest, ATargetACliCopyOrPruneHoldsFailsItsRunAsBusyAndTheOthersGoOn) {
  AddTarget("nas", dir_.Sub("nas"));
  AddTarget("usb", dir_.Sub("usb"));
  PointCopied();
  auto nas = OpenDirectoryTarget(Env::Default(), dir_.Sub("nas"), false);
  ASSERT_TRUE(nas.ok()) << nas.status().ToString();
  auto held =
      OffsiteTargetLock::Acquire(DefaultBackupDir(live_), **nas, "backup prune --target (CLI)");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  const std::string id = PointCopied();
  const OffsiteTargetStatus s = Status("nas");
  EXPECT_EQ(s.failures_total, 1u);
  EXPECT_EQ(s.points.count(id), 0u);
  EXPECT_NE(
      s.last_error.find("another off-site copy or prune of " + (*nas)->Describe() + " is running"),
      std::string::npos)
      << s.last_error;
  EXPECT_EQ(Status("usb").points.count(id), 1u);
  bool journaled = false;
  for (const JournalEntry& e : Journal("offsite_copy")) {
    journaled |= e.subject == "nas" && e.outcome == "failed";
  }
  EXPECT_TRUE(journaled);
  held->reset();
  PointCopied();
  EXPECT_EQ(Status("nas").points.count(id), 1u) << "the next run copies what was held up";
}

TEST_F(BackupOffsiteServiceTest, ACopyTooOldIsStaleAndAlertedOnce) {
  AddTarget("nas", dir_.Sub("nas"));
  PointCopied();
  const int64_t later = NowUnixSeconds() + 2 * RestorePoints::kDefaultStaleAfterSeconds;
  backup().CheckStale(later);
  backup().CheckStale(later + 60);
  backup().notifier().WaitIdle();
  int stale_alerts = 0;
  for (const std::string& post : poster_->posts()) {
    stale_alerts += post.find("\"event\":\"offsite_stale\"") != std::string::npos;
  }
  EXPECT_EQ(stale_alerts, 1);
  EXPECT_EQ(OffsiteState(Status("nas"), later, RestorePoints::kDefaultStaleAfterSeconds, true),
            "stale");
}

// The first copy pins the repository the target holds in targets.conf;
// a target replaced whole by another repository sealed with the same
// passphrase is refused, and nothing is copied to it.
TEST_F(BackupOffsiteServiceTest, ATargetReplacedByAnotherRepositoryIsRefusedAndLeftAlone) {
  AddTarget("nas", dir_.Sub("nas"));
  PointCopied();
  const std::string pinned = Status("nas").repository_id;
  ASSERT_FALSE(pinned.empty());
  auto targets = backup().offsite().Targets();
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  EXPECT_EQ(targets->at(0).repository_id, pinned);
  std::filesystem::rename(dir_.Sub("nas"), dir_.Sub("nas-before"));
  auto other = OpenDirectoryTarget(Env::Default(), dir_.Sub("nas"), true);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto other_key = UnlockOrInitTarget(other->get(), "correct horse", KdfParams::ForTests());
  ASSERT_TRUE(other_key.ok()) << other_key.status().ToString();
  const std::string id = PointCopied();
  const OffsiteTargetStatus s = Status("nas");
  EXPECT_EQ(s.failures_total, 1u);
  EXPECT_NE(s.last_error.find("holds off-site repository " + (*other_key)->repository_id() +
                              ", not " + pinned),
            std::string::npos)
      << s.last_error;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("nas") + "/snapshots/" + id));
  auto tested = backup().offsite().Test("nas");
  ASSERT_TRUE(tested.ok()) << tested.status().ToString();
  EXPECT_NE(tested->find(pinned), std::string::npos) << *tested;
}

// A pinned target that is gone (an unmounted disk) is not made again, and
// an emptied one is not started again as a new repository; the pin
// survives an edit of the target in place, and goes when the target is
// removed and added again.
TEST_F(BackupOffsiteServiceTest, AnEmptiedTargetIsNotStartedAgainUntilItIsAddedAgain) {
  AddTarget("nas", dir_.Sub("nas"));
  PointCopied();
  const std::string pinned = Status("nas").repository_id;
  std::filesystem::remove_all(dir_.Sub("nas"));
  PointCopied();
  EXPECT_NE(Status("nas").last_error.find("no off-site target directory"), std::string::npos)
      << Status("nas").last_error;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("nas")));
  std::filesystem::create_directory(dir_.Sub("nas"));
  OffsiteTargetConfig edited;
  edited.name = "nas";
  edited.spec.location = dir_.Sub("nas");
  edited.passphrase = "correct horse";
  edited.retention.keep_last = 5;
  ASSERT_TRUE(backup().offsite().Save(edited, true).ok());
  PointCopied();
  const OffsiteTargetStatus s = Status("nas");
  EXPECT_EQ(s.failures_total, 2u);
  EXPECT_NE(s.last_error.find("holds no off-site repository, but held " + pinned),
            std::string::npos)
      << s.last_error;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Sub("nas")));
  ASSERT_TRUE(backup().offsite().Remove("nas").ok());
  AddTarget("nas", dir_.Sub("nas"));
  const std::string id = PointCopied();
  EXPECT_EQ(Status("nas").points.count(id), 1u) << Status("nas").last_error;
  EXPECT_NE(Status("nas").repository_id, pinned);
}

TEST(OffsiteStateTest, PendingFailingStaleAndOk) {
  OffsiteTargetStatus s;
  EXPECT_EQ(OffsiteState(s, 1000, 100, true), "pending");
  s.last_attempt = 900;
  s.last_failure = 900;
  EXPECT_EQ(OffsiteState(s, 1000, 100, true), "failing");
  s.last_success = 950;
  s.last_attempt = 950;
  s.points_known = true;
  s.checked = true;
  EXPECT_EQ(OffsiteState(s, 1000, 100, true), "stale");  // nothing on the target
  EXPECT_EQ(OffsiteState(s, 1000, 100, false), "ok");    // and nothing to copy
  s.points["20261202T000000Z-aaaaaa"] = 950;
  EXPECT_EQ(OffsiteState(s, 1000, 100, true), "ok");
  EXPECT_EQ(OffsiteState(s, 1051, 100, true), "stale");
  s.checked = false;
  EXPECT_EQ(OffsiteState(s, 1000, 100, true), "failing");
}

}  // namespace
}  // namespace arkwiki::web
