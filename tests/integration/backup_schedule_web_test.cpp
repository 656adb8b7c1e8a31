// The automatic backup policy over a real socket: GET/PUT /api/backup-policy
// (admin only, validated, canonical), and a schedule set through the API
// that is due at once makes a restore point with trigger "scheduled".
#include <Poco/JSON/Array.h>

#include <chrono>
#include <thread>

#include "backup_web_helpers.h"

namespace arkwiki::testing {
namespace {

class BackupScheduleWebTest : public WikiServerTest {
 protected:
  HttpResponse PutPolicy(const std::string& json, const std::string& role = "admin") {
    return Client(role).Request("PUT", "/api/backup-policy", json, "application/json");
  }
  // The triggers of the restore points, newest first.
  std::vector<std::string> Triggers() {
    std::vector<std::string> out;
    auto list =
        ParseJson(Client("admin").Get("/api/restore-points").body)->getArray("restore_points");
    for (size_t i = 0; list && i < list->size(); ++i) {
      out.push_back(list->getObject(i)->optValue<std::string>("trigger", ""));
    }
    return out;
  }
};

TEST_F(BackupScheduleWebTest, PolicyIsReadAndWrittenByAdminsOnly) {
  HttpResponse r = Client("admin").Get("/api/backup-policy");
  ASSERT_EQ(r.status, 200) << r.body;
  auto policy = ParseJson(r.body);
  EXPECT_EQ(policy->optValue<std::string>("backup_schedule", ""), "off");
  EXPECT_EQ(policy->optValue<int>("retention_keep_last", 0), 3);
  ASSERT_TRUE(policy->getObject("status"));
  EXPECT_EQ(Client("editor").Get("/api/backup-policy").status, 403);
  EXPECT_EQ(PutPolicy(R"({"backup_schedule":"off"})", "editor").status, 403);
  EXPECT_EQ(PutPolicy(R"({"backup_schedule":"hourly"})").status, 400);
  EXPECT_EQ(PutPolicy(R"({"retention_keep_last":0,"retention_keep_daily":0,)"
                      R"("retention_keep_weekly":0,"retention_keep_monthly":0})")
                .status,
            400);
  r = PutPolicy(R"({"backup_schedule":"WEEKLY Sun 03:00","retention_keep_daily":10})");
  ASSERT_EQ(r.status, 200) << r.body;
  policy = ParseJson(r.body);
  EXPECT_EQ(policy->optValue<std::string>("backup_schedule", ""), "weekly sun 03:00");
  EXPECT_EQ(policy->optValue<int>("retention_keep_daily", 0), 10);
}

TEST_F(BackupScheduleWebTest, ADueScheduleMakesAScheduledRestorePoint) {
  ASSERT_TRUE(Triggers().empty());
  // No restore point yet: "every 1h" is due at once, and the PUT wakes the
  // scheduler.
  HttpResponse r = PutPolicy(R"({"backup_schedule":"every 1h"})");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::vector<std::string> triggers;
  while ((triggers = Triggers()).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(triggers, std::vector<std::string>{"scheduled"});
  auto status = ParseJson(Client("admin").Get("/api/backup-policy").body)->getObject("status");
  ASSERT_TRUE(status);
  // The run has finished once its point is listed, but its status is set
  // just after: wait for it as for the point.
  while (status->isNull("last_success") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = ParseJson(Client("admin").Get("/api/backup-policy").body)->getObject("status");
  }
  EXPECT_FALSE(status->isNull("last_success"));
  EXPECT_FALSE(status->isNull("next_backup"));
  HttpResponse metrics = Client("admin").Get("/metrics");
  EXPECT_NE(metrics.body.find("arkwiki_backup_snapshots 1"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace arkwiki::testing
