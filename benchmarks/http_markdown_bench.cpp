// http_markdown_bench: save and view times of pathological and ordinary
// Markdown pages over HTTP, against a real `arkwiki serve` child process.
//
// Each input of markdown_inputs.h is saved with PUT /api/pages/<slug> (an
// admin API token), then viewed with GET /wiki/<slug>: once right after the
// save, then `--views` more times. The target is that no save or view takes
// over 1 s; the program says whether it was met, and exits 1 if a request
// failed. Prints one Markdown table row per input.
//
// Usage: http_markdown_bench [--quick] [--views N] [--filter SUBSTR]
//   --quick          smaller inputs (CI smoke test)
//   --views N        views after the first (default 5)
//   --filter SUBSTR  only inputs whose name contains SUBSTR
// The data directory is ARKWIKI_BENCH_DIR/http-markdown (made afresh).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "arkwiki/process/child_process.h"
#include "arkwiki/process/http_client.h"
#include "arkwiki/storage/storage.h"
#include "bench_support.h"
#include "markdown_inputs.h"

namespace arkwiki::bench {
namespace {

constexpr double kTargetMs = 1000;

struct Options {
  bool quick = false;
  int views = 5;
  std::string filter;
};

struct Row {
  bool refused = false;  // over the page size limit (413)
  double save_ms = 0;
  double first_view_ms = 0;
  double median_view_ms = 0;
  double slowest_view_ms = 0;
};

// A fresh data directory with an admin "bench"; returns its API token.
Result<std::string> FreshWiki(const std::string& dir) {
  ARKWIKI_RETURN_IF_ERROR(Env::Default()->RemoveTree(dir));
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), dir));
  ARKWIKI_ASSIGN_OR_RETURN(User user,
                           storage->users().Create("bench", "bench-password-1", Role::kAdmin));
  return storage->users().CreateApiToken(user.id, "http_markdown_bench");
}

// Milliseconds the request took. Fails unless it answered `expect`, or
// `also` when that is not 0; `*answered` gets the status.
Result<double> Timed(process::HttpClient& client, const std::string& method,
                     const std::string& path, const std::string& body, int expect, int also = 0,
                     int* answered = nullptr) {
  auto start = std::chrono::steady_clock::now();
  ARKWIKI_ASSIGN_OR_RETURN(process::HttpReply reply,
                           client.Send(method, path, body, body.empty() ? "" : "application/json"));
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (answered != nullptr) *answered = reply.status;
  if (reply.status != expect && (also == 0 || reply.status != also)) {
    return Status::IoError(method + " " + path + " answered " + std::to_string(reply.status) +
                           ": " + reply.body.substr(0, 200));
  }
  return ms;
}

Result<Row> SaveAndView(process::HttpClient& client, const std::string& slug,
                        const std::string& markdown, int views) {
  Poco::JSON::Object::Ptr page = new Poco::JSON::Object;
  page->set("title", "Bench " + slug);
  page->set("markdown", markdown);
  Row row;
  const std::string path = "/wiki/" + slug;
  int answered = 0;
  ARKWIKI_ASSIGN_OR_RETURN(row.save_ms, Timed(client, "PUT", "/api/pages/" + slug,
                                              process::ToJsonText(page), 201, 413, &answered));
  if (answered == 413) {
    row.refused = true;
    return row;
  }
  ARKWIKI_ASSIGN_OR_RETURN(row.first_view_ms, Timed(client, "GET", path, "", 200));
  std::vector<double> times;
  for (int i = 0; i < views; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(double ms, Timed(client, "GET", path, "", 200));
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  row.median_view_ms = times.empty() ? row.first_view_ms : times[times.size() / 2];
  row.slowest_view_ms = std::max(row.first_view_ms, times.empty() ? 0.0 : times.back());
  return row;
}

std::string Cell(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : "%.0f", ms);
  return buf;
}

int Run(const Options& options) {
  const std::string dir = JoinPath(BenchDir(), "http-markdown");
  auto token = FreshWiki(dir);
  CheckOk(token.status(), "creating the wiki");
  auto server = process::ServerProcess::Start(ARKWIKI_BINARY, dir,
                                              JoinPath(BenchDir(), "http-markdown-server.log"));
  CheckOk(server.status(), "starting the server");
  process::HttpClient client((*server)->port(), *token);
  std::printf(
      "| input | size KB | save ms | first view ms | view ms (median) | slowest view ms |\n");
  std::printf("|---|--:|--:|--:|--:|--:|\n");
  double worst = 0;
  int n = 0;
  for (const Input& input : Inputs(options.quick)) {
    if (!options.filter.empty() && input.name.find(options.filter) == std::string::npos) continue;
    auto row = SaveAndView(client, "bench-" + std::to_string(n++), input.markdown, options.views);
    if (!row.ok()) {
      std::fprintf(stderr, "%s: %s\n", input.name.c_str(), row.status().ToString().c_str());
      (*server)->Stop();
      return 1;
    }
    worst = std::max({worst, row->save_ms, row->slowest_view_ms});
    if (row->refused) {
      std::printf("| %s | %zu | refused (413, over the page size limit): %s | | | |\n",
                  input.name.c_str(), input.markdown.size() / 1024, Cell(row->save_ms).c_str());
      continue;
    }
    std::printf("| %s | %zu | %s | %s | %s | %s |\n", input.name.c_str(),
                input.markdown.size() / 1024, Cell(row->save_ms).c_str(),
                Cell(row->first_view_ms).c_str(), Cell(row->median_view_ms).c_str(),
                Cell(row->slowest_view_ms).c_str());
    std::fflush(stdout);
  }
  (*server)->Stop();
  std::printf("\nslowest save or view: %s ms; target (no save or view over 1 s): %s\n",
              Cell(worst).c_str(), worst <= kTargetMs ? "met" : "MISSED");
  return 0;
}

}  // namespace
}  // namespace arkwiki::bench

int main(int argc, char** argv) {
  arkwiki::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--views" && i + 1 < argc) {
      options.views = static_cast<int>(std::clamp(std::strtol(argv[++i], nullptr, 10), 0L, 1000L));
    } else if (arg == "--filter" && i + 1 < argc) {
      options.filter = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--views N] [--filter S]\n", argv[0]);
      return 2;
    }
  }
  try {
    return arkwiki::bench::Run(options);
  } catch (const std::exception& e) {  // Poco's JSON and HTTP code throw
    std::fprintf(stderr, "http_markdown_bench: %s\n", e.what());
    return 1;
  }
}
