#include "arkwiki/process/child_process.h"

#include <gtest/gtest.h>

#include "arkwiki/process/http_client.h"
#include "support/temp_dir.h"

namespace arkwiki::process {
namespace {

using arkwiki::testing::TempDir;

TEST(RunProcessTest, ReturnsExitCodeAndOutputs) {
  auto r = RunProcess("/bin/sh", {"-c", "read x; echo out-$x; echo err >&2; exit 3"}, "in\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out-in\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(RunProcessTest, MissingBinaryIsNotFound) {
  auto r = RunProcess("/nonexistent/arkwiki", {});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(ServerProcessTest, StartsFindsThePortAndStops) {
  TempDir dir;
  auto server = ServerProcess::Start(ARKWIKI_BINARY, dir.Sub("data"), dir.Sub("server.log"));
  ASSERT_TRUE(server.ok()) << server.status().message();
  EXPECT_GT((*server)->port(), 0);
  EXPECT_GT((*server)->RssKiB(), 0);
  HttpClient client((*server)->port());
  EXPECT_EQ(client.Get("/api/health").status, 200);
  EXPECT_EQ((*server)->Stop(), 0);
  EXPECT_TRUE((*server)->Exited());
  EXPECT_GT((*server)->LifePeakRssKiB(), 0);
  EXPECT_EQ(client.Request("GET", "/api/health").status, -1);
}

TEST(ServerProcessTest, ChildThatDiesAtStartIsAClearError) {
  TempDir dir;
  // A regular file where the data directory should be: serve exits at once.
  auto blocker = RunProcess("/bin/sh", {"-c", "echo x > " + dir.Sub("file")});
  ASSERT_TRUE(blocker.ok());
  auto server =
      ServerProcess::Start(ARKWIKI_BINARY, dir.Sub("file") + "/data", dir.Sub("server.log"));
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().code(), StatusCode::kIoError);
  EXPECT_NE(server.status().message().find("exited with 1 at start"), std::string::npos)
      << server.status().message();
  EXPECT_NE(server.status().message().find("Not a directory"), std::string::npos)
      << server.status().message();
}

TEST(ServerProcessTest, ProgramThatNeverServesIsAClearError) {
  TempDir dir;
  auto server = ServerProcess::Start("/bin/true", dir.Sub("data"), dir.Sub("server.log"));
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("exited with 0 at start"), std::string::npos)
      << server.status().message();
}

}  // namespace
}  // namespace arkwiki::process
