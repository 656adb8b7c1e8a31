// Off-site targets over a real socket: added through the JSON API, each new
// restore point copied in the background to a directory and to s3rver, the
// copies readable by the CLI with the passphrase alone, the secrets never
// shown back, and a target that fails shown red in GET /api/health,
// GET /metrics, the API and Settings.
#include <Poco/JSON/Array.h>

#include <chrono>
#include <thread>

#include "backup_web_helpers.h"
#include "support/s3rver_fixture.h"
#include "support/seed_wiki.h"

namespace arkwiki::testing {
namespace {

constexpr char kPassphrase[] = "an off-site passphrase";
constexpr char kSecret[] = "S3RVER";

class OffsiteWebTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    if (HasFatalFailure()) return;
    SeedTheWiki();
  }
  HttpResponse AddTarget(const std::string& json) {
    return Client("admin").Request("POST", "/api/offsite/targets", json, "application/json");
  }
  // POST /api/restore-points; the point's id. Adding a target starts a
  // copy run, and the server answers 409 while one runs: that waits.
  std::string NewPoint() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    HttpResponse r = Client("admin").Request("POST", "/api/restore-points");
    while (r.status == 409 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      r = Client("admin").Request("POST", "/api/restore-points");
    }
    EXPECT_EQ(r.status, 201) << r.body;
    return ParseJson(r.body)->optValue<std::string>("id", "");
  }
  Poco::JSON::Object::Ptr Target(const std::string& name) {
    HttpResponse r = Client("admin").Get("/api/offsite/targets");
    EXPECT_EQ(r.status, 200) << r.body;
    auto list = ParseJson(r.body)->getArray("targets");
    for (size_t i = 0; list && i < list->size(); ++i) {
      if (list->getObject(i)->optValue<std::string>("name", "") == name) {
        return list->getObject(i);
      }
    }
    return new Poco::JSON::Object;
  }
  // Waits (120 s at most) until target `name`'s last run is done: it holds
  // restore point `id`, or has failed. Returns its status object.
  Poco::JSON::Object::Ptr WaitForCopy(const std::string& name, const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      auto status = Target(name)->getObject("status");
      if (status && status->optValue<std::string>("state", "") == "failing") return status;
      auto points = status ? status->getArray("restore_points") : nullptr;
      for (size_t i = 0; points && i < points->size(); ++i) {
        if (points->getElement<std::string>(i) == id) return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no copy of " << id << " on " << name;
    return new Poco::JSON::Object;
  }
  Poco::JSON::Object::Ptr OffsiteHealth(const std::string& name) {
    auto backup = ParseJson(Client().Get("/api/health").body)->getObject("backup");
    auto list = backup ? backup->getArray("offsite") : nullptr;
    for (size_t i = 0; list && i < list->size(); ++i) {
      if (list->getObject(i)->optValue<std::string>("target", "") == name) {
        return list->getObject(i);
      }
    }
    return new Poco::JSON::Object;
  }
};

TEST_F(OffsiteWebTest, ADirectoryTargetGetsEachNewPointReadableWithThePassphrase) {
  const std::string target = dir_.Sub("nas");
  HttpResponse added = AddTarget(R"({"name":"nas","kind":"directory","path":")" + target +
                                 R"(","passphrase":")" + kPassphrase + R"(","keep_monthly":12})");
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.body.find(kPassphrase), std::string::npos);
  auto body = ParseJson(added.body);
  EXPECT_TRUE(body->optValue<bool>("passphrase_set", false));
  EXPECT_EQ(body->optValue<int>("keep_monthly", 0), 12);
  const std::string id = NewPoint();
  auto status = WaitForCopy("nas", id);
  EXPECT_EQ(status->optValue<std::string>("state", ""), "ok");
  EXPECT_TRUE(status->optValue<bool>("checked", false));
  EXPECT_EQ(OffsiteHealth("nas")->optValue<std::string>("status", ""), "ok");
  const std::string metrics = Client("admin").Get("/metrics").body;
  EXPECT_NE(metrics.find("arkwiki_offsite_last_success_timestamp_seconds{target=\"nas\"} "),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("arkwiki_offsite_healthy{target=\"nas\"} 1"), std::string::npos);
  EXPECT_NE(Client("admin").Get("/api/backup-journal").body.find("\"offsite_copy\""),
            std::string::npos);
  // The target is the documented format: the CLI reads it back.
  auto listed = RunArkwiki({"backup", "snapshots", "--from", target, "--json"},
                           std::string(kPassphrase) + "\n");
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  // Settings shows the target and, in the point's row, that it is there.
  const std::string page = Client("admin").Get("/settings/backup").body;
  EXPECT_NE(page.find("data-target=\"nas\" data-state=\"ok\""), std::string::npos);
  EXPECT_NE(page.find("nas: copied and checked"), std::string::npos);
  EXPECT_EQ(page.find(kPassphrase), std::string::npos);
  EXPECT_EQ(page.find("has_points"), std::string::npos) << "the template's comment leaked";
}

TEST_F(OffsiteWebTest, EachTargetHasARecoverySheetWhoseCommandRestoresOnABareMachine) {
  const std::string target = dir_.Sub("usb disk");
  ASSERT_EQ(AddTarget(R"({"name":"usb","kind":"directory","path":")" + target +
                      R"(","passphrase":")" + kPassphrase + R"("})")
                .status,
            201);
  const std::string id = NewPoint();
  auto status = WaitForCopy("usb", id);
  ASSERT_EQ(status->optValue<std::string>("state", ""), "ok");
  const std::string repository_id = status->optValue<std::string>("repository_id", "");
  EXPECT_EQ(repository_id.size(), 32u) << status->optValue<std::string>("repository_id", "");
  const std::string command = Target("usb")->optValue<std::string>("restore_command", "");
  EXPECT_EQ(command, "arkwiki backup restore --data NEWDIR --from '" + target +
                         "' --snapshot latest --yes --repository-id " + repository_id);
  const std::string page = Client("admin").Get("/settings/backup").body;
  EXPECT_NE(page.find("Recovery sheet: usb"), std::string::npos);
  EXPECT_NE(page.find(repository_id), std::string::npos);
  EXPECT_NE(page.find("--from &#39;" + target + "&#39; --snapshot latest"), std::string::npos)
      << "the sheet's command is missing or not escaped";
  EXPECT_EQ(page.find(kPassphrase), std::string::npos);
  // The command, as the sheet gives it, with the passphrase alone.
  const std::string fresh = dir_.Sub("new-machine");
  auto restored = RunArkwiki({"backup", "restore", "--data", fresh, "--from", target, "--snapshot",
                              "latest", "--yes", "--repository-id", repository_id},
                             std::string(kPassphrase) + "\n");
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(DumpWiki(fresh).find("version one"), std::string::npos) << "not the seeded wiki";
}

TEST_F(OffsiteWebTest, AnS3TargetGetsThePointAndItsSecretIsNeverShown) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-bucket");
  HttpResponse added =
      AddTarget(R"({"name":"cloud","kind":"s3","endpoint":")" + s3->endpoint() +
                R"(","bucket":"wiki-bucket","prefix":"arkwiki","access_key_id":"S3RVER",)"
                R"("secret_access_key":")" +
                kSecret + R"(","passphrase":")" + kPassphrase + R"("})");
  ASSERT_EQ(added.status, 201) << added.body;
  auto body = ParseJson(added.body);
  EXPECT_TRUE(body->optValue<bool>("secret_access_key_set", false));
  EXPECT_FALSE(body->has("secret_access_key"));
  const std::string id = NewPoint();
  auto status = WaitForCopy("cloud", id);
  EXPECT_EQ(status->optValue<std::string>("state", ""), "ok")
      << status->optValue<std::string>("last_error", "");
  HttpResponse test = Client("admin").Request("POST", "/api/offsite/targets/cloud/test");
  ASSERT_EQ(test.status, 200) << test.body;
  EXPECT_TRUE(ParseJson(test.body)->optValue<bool>("ok", false)) << test.body;
  const std::string listing = Client("admin").Get("/api/offsite/targets").body;
  EXPECT_EQ(listing.find(kPassphrase), std::string::npos);
  EXPECT_EQ(listing.find("\"secret_access_key\""), std::string::npos);
}

TEST_F(OffsiteWebTest, AFailingTargetIsRedInHealthMetricsAndSettings) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-bucket");
  ASSERT_EQ(AddTarget(R"({"name":"wrong","kind":"s3","endpoint":")" + s3->endpoint() +
                      R"(","bucket":"no-such-bucket","access_key_id":"S3RVER",)"
                      R"("secret_access_key":"a-secret-never-shown","passphrase":"p"})")
                .status,
            201);
  const std::string id = NewPoint();
  auto status = WaitForCopy("wrong", id);
  EXPECT_EQ(status->optValue<std::string>("state", ""), "failing");
  EXPECT_FALSE(status->optValue<std::string>("last_error", "").empty());
  auto health = OffsiteHealth("wrong");
  EXPECT_EQ(health->optValue<std::string>("status", ""), "failing");
  EXPECT_FALSE(health->optValue<std::string>("last_error", "").empty());
  const std::string metrics = Client("admin").Get("/metrics").body;
  // Adding the target and the new point may each start a run: at least one failed.
  const std::string failures = "arkwiki_offsite_failures_total{target=\"wrong\"} ";
  const size_t at = metrics.find(failures);
  ASSERT_NE(at, std::string::npos) << metrics;
  EXPECT_GE(std::atoi(metrics.c_str() + at + failures.size()), 1) << metrics;
  EXPECT_NE(metrics.find("arkwiki_offsite_healthy{target=\"wrong\"} 0"), std::string::npos);
  const std::string page = Client("admin").Get("/settings/backup").body;
  EXPECT_NE(page.find("data-target=\"wrong\" data-state=\"failing\" class=\"journal-failed\""),
            std::string::npos);
  EXPECT_EQ(page.find("a-secret-never-shown"), std::string::npos);
  // The wiki's own restore points are not held up by it.
  EXPECT_FALSE(NewPoint().empty());
}

// The first copy pins the target's repository; an edit in place keeps the
// pin, and moving the target with PUT drops it, so the next copy starts a
// new repository at the new place instead of failing there.
TEST_F(OffsiteWebTest, MovingATargetDropsItsPinnedRepository) {
  const std::string first = dir_.Sub("nas-a");
  ASSERT_EQ(AddTarget(R"({"name":"nas","kind":"directory","path":")" + first +
                      R"(","passphrase":")" + kPassphrase + R"("})")
                .status,
            201);
  const std::string id = NewPoint();
  auto status = WaitForCopy("nas", id);
  ASSERT_EQ(status->optValue<std::string>("state", ""), "ok")
      << status->optValue<std::string>("last_error", "");
  const std::string pinned = status->optValue<std::string>("repository_id", "");
  ASSERT_EQ(pinned.size(), 32u);
  HttpResponse kept = Client("admin").Request("PUT", "/api/offsite/targets/nas",
                                              R"({"keep_last":9})", "application/json");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_NE(ParseJson(kept.body)->optValue<std::string>("restore_command", "").find(pinned),
            std::string::npos)
      << kept.body;
  const std::string second = dir_.Sub("nas-b");
  HttpResponse moved = Client("admin").Request(
      "PUT", "/api/offsite/targets/nas", R"({"path":")" + second + R"("})", "application/json");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(ParseJson(moved.body)->optValue<std::string>("restore_command", "").find(pinned),
            std::string::npos)
      << moved.body;
  const std::string next = NewPoint();
  status = WaitForCopy("nas", next);
  EXPECT_EQ(status->optValue<std::string>("state", ""), "ok")
      << status->optValue<std::string>("last_error", "");
  const std::string now_pinned = status->optValue<std::string>("repository_id", "");
  EXPECT_EQ(now_pinned.size(), 32u);
  EXPECT_NE(now_pinned, pinned);
}

TEST_F(OffsiteWebTest, TargetsAreEditedRemovedAndRefusedWhenInvalid) {
  const std::string target = dir_.Sub("nas");
  ASSERT_EQ(
      AddTarget(R"({"name":"nas","kind":"directory","path":")" + target + R"(","passphrase":"p"})")
          .status,
      201);
  EXPECT_EQ(AddTarget(R"({"name":"nas","kind":"directory","path":"/x","passphrase":"p"})").status,
            409);
  EXPECT_EQ(AddTarget(R"({"name":"rel","kind":"directory","path":"x","passphrase":"p"})").status,
            400);
  EXPECT_EQ(AddTarget(R"({"name":"s","kind":"s3","bucket":"b","passphrase":"p"})").status, 400);
  EXPECT_EQ(AddTarget(R"({"name":"n","kind":"directory","path":"/x","pasphrase":"p"})").status,
            400);
  EXPECT_EQ(Client("editor")
                .Request("POST", "/api/offsite/targets",
                         R"({"name":"e","kind":"directory","path":"/x","passphrase":"p"})",
                         "application/json")
                .status,
            403);
  HttpResponse edited = Client("admin").Request("PUT", "/api/offsite/targets/nas",
                                                R"({"keep_last":9})", "application/json");
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(ParseJson(edited.body)->optValue<int>("keep_last", 0), 9);
  EXPECT_TRUE(ParseJson(edited.body)->optValue<bool>("passphrase_set", false));
  EXPECT_EQ(Client("admin").Request("DELETE", "/api/offsite/targets/nas").status, 204);
  EXPECT_EQ(Client("admin").Request("DELETE", "/api/offsite/targets/nas").status, 404);
  EXPECT_TRUE(
      ParseJson(Client("admin").Get("/api/offsite/targets").body)->getArray("targets")->size() ==
      0);
}

}  // namespace
}  // namespace arkwiki::testing
