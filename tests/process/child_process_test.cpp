#include "arkwiki/process/child_process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <thread>

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

// True once `pid` has exited (gone, or a zombie waiting for its reaper).
bool Exited(const std::string& pid) {
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  return paren == std::string::npos || text.compare(paren + 1, 3, " Z ") == 0;
}

TEST(RunProcessTest, AChildPastItsTimeLimitIsKilledWithWhatItStarted) {
  TempDir dir;
  const std::string pid_file = dir.Sub("grandchild.pid");
  // The limit can pass before the shell has started its own child: retry
  // with a longer limit until the grandchild's pid was written.
  ProcessResult r;
  for (int64_t limit_ms = 100; !std::ifstream(pid_file).good(); limit_ms *= 2) {
    ASSERT_LT(limit_ms, 100000) << "the shell never started its child";
    auto run = RunProcess("/bin/sh", {"-c", "sleep 100000 & echo $! > " + pid_file + "; wait"}, "",
                          {}, limit_ms);
    ASSERT_TRUE(run.ok()) << run.status().message();
    r = *run;
  }
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  std::string grandchild;
  std::ifstream(pid_file) >> grandchild;
  ASSERT_FALSE(grandchild.empty());
  // Killed with the group; its reaper (init) collects it in its own time.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!Exited(grandchild) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(Exited(grandchild)) << "sleep " << grandchild << " outlived the time limit";
}

TEST(RunProcessTest, AChildWithinItsTimeLimitIsNotMarkedTimedOut) {
  auto r = RunProcess("/bin/sh", {"-c", "exit 4"}, "", {}, 600000);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 4);
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
