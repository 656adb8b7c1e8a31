// GET /metrics over a real socket: who may read it, and what it carries.
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

using MetricsTest = WikiServerTest;

constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

TEST_F(MetricsTest, AnonymousIsRefusedAndNonAdminForbidden) {
  EXPECT_EQ(Client().Get("/metrics").status, 401);
  EXPECT_EQ(Client("reader").Get("/metrics").status, 403);
  EXPECT_EQ(Client("editor").Get("/metrics").status, 403);
}

TEST_F(MetricsTest, AdminGetsTheExposition) {
  HttpResponse r = Client("admin").Get("/metrics");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kContentType);
  EXPECT_NE(r.body.find("# TYPE arkwiki_backup_last_success_timestamp_seconds gauge\n"),
            std::string::npos);
  EXPECT_NE(r.body.find("\narkwiki_backup_last_success_timestamp_seconds 0\n"), std::string::npos)
      << r.body;
}

TEST_F(MetricsTest, TheAllowedAddressNeedsNoLogin) {
  HttpResponse put = Client("admin").Request(
      "PUT", "/api/settings", R"({"metrics_allow_address":"127.0.0.1"})", "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
  HttpResponse r = Client().Get("/metrics");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), kContentType);

  put = Client("admin").Request("PUT", "/api/settings", R"({"metrics_allow_address":"10.9.8.7"})",
                                "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Client().Get("/metrics").status, 401);
  put = Client("admin").Request("PUT", "/api/settings", R"({"metrics_allow_address":"nowhere"})",
                                "application/json");
  EXPECT_EQ(put.status, 400) << put.body;
}

TEST_F(MetricsTest, ShowsTheLastBackup) {
  ASSERT_EQ(Client("admin").Request("POST", "/api/backups").status, 200);
  HttpResponse r = Client("admin").Get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("\narkwiki_backup_last_success_timestamp_seconds 0\n"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("\narkwiki_backup_last_size_bytes 0\n"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace arkwiki::testing
