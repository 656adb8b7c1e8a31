// The first upload of N MiB to a local s3rver: the S3 target's Put
// (multipart, 8 MiB parts, each part hashed and signed) against `curl -T`
// sending the same bytes in one signed PUT. A counting proxy in front of
// s3rver gives the requests and the body bytes of each. Prints seconds,
// MB/s, the ratio to curl and this process's peak RSS.
//
//   ARKWIKI_BENCH_S3_MB   size of the object (default 128)
//   ARKWIKI_BENCH_ROUNDS  paired rounds, curl then arkwiki (default 3)
//   ARKWIKI_BENCH_S3_PART_MB  the target's part_size (default 8); above the
//                         object size, Put sends one PutObject
//   ARKWIKI_BENCH_S3_PARALLEL  comma-separated parallel_parts settings
//                         (default: the target's default); each round runs curl, then the
//                         target once per setting, so runs alternate
//
// s3rver (Node.js) stores parts through its own streams at a few tens of
// MB/s, so both sides measure s3rver as much as the client; the ratio is
// what matters.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "arkwiki/backup/s3_target.h"
#include "arkwiki/core/env.h"
#include "arkwiki/process/child_process.h"
#include "support/fault_proxy.h"
#include "support/s3rver_fixture.h"
#include "support/temp_dir.h"

namespace {

using arkwiki::testing::FaultProxy;
using arkwiki::testing::S3rverProcess;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::strtoull(v, nullptr, 10);
}

bool WriteRandomFile(const std::string& path, uint64_t mib) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> block((1u << 20) / 8);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (uint64_t i = 0; i < mib; ++i) {
    for (uint64_t& w : block) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      w = x;
    }
    out.write(reinterpret_cast<const char*>(block.data()), 1 << 20);
  }
  return static_cast<bool>(out);
}

struct Counted {
  int requests = 0;
  uint64_t body_bytes = 0;
};

Counted CountFor(const FaultProxy& proxy, const std::string& key) {
  Counted c;
  for (const auto& r : proxy.Seen()) {
    if (r.target.find(key) == std::string::npos) continue;
    ++c.requests;
    c.body_bytes += r.body_bytes;
  }
  return c;
}

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024;
}

std::vector<int> ParallelSettings() {
  const char* v = std::getenv("ARKWIKI_BENCH_S3_PARALLEL");
  std::istringstream in(v == nullptr ? std::to_string(arkwiki::S3TargetConfig{}.parallel_parts)
                                     : v);
  std::vector<int> out;
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::atoi(item.c_str()));
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  const uint64_t mib = EnvOr("ARKWIKI_BENCH_S3_MB", 128);
  const int rounds = static_cast<int>(EnvOr("ARKWIKI_BENCH_ROUNDS", 3));
  arkwiki::testing::TempDir work;
  const std::string file = work.Sub("object.bin");
  if (!WriteRandomFile(file, mib))
    return std::fprintf(stderr, "cannot write %s\n", file.c_str()), 1;
  auto server = S3rverProcess::Start(work.Sub(""), "bench");
  if (!server.ok()) return std::fprintf(stderr, "%s\n", server.status().ToString().c_str()), 1;
  FaultProxy proxy((*server)->port());
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(proxy.port());

  arkwiki::S3TargetConfig config;
  config.endpoint = endpoint;
  config.bucket = "bench";
  config.access_key = S3rverProcess::kAccessKey;
  config.secret_key = S3rverProcess::kSecretKey;
  config.state_dir = work.Sub("state");
  config.part_size = EnvOr("ARKWIKI_BENCH_S3_PART_MB", 8) << 20;
  const std::vector<int> settings = ParallelSettings();
  std::vector<std::unique_ptr<arkwiki::OffsiteTarget>> targets;
  for (int parallel : settings) {
    config.parallel_parts = parallel;
    auto target = arkwiki::OpenS3Target(config);
    if (!target.ok()) return std::fprintf(stderr, "%s\n", target.status().ToString().c_str()), 1;
    targets.push_back(std::move(target).value());
  }
  auto source = arkwiki::Env::Default()->NewRandomAccessFile(file);
  if (!source.ok()) return std::fprintf(stderr, "cannot open %s\n", file.c_str()), 1;

  std::vector<double> curl_s;
  std::vector<std::vector<double>> ark_s(settings.size());
  for (int i = 0; i < rounds; ++i) {
    const std::string curl_key = "curl-copy-" + std::to_string(i);
    auto curl = arkwiki::process::RunProcess(
        "/usr/bin/curl",
        {"-sS", "-f", "-o", "/dev/null", "-T", file, "--aws-sigv4", "aws:amz:us-east-1:s3",
         "--user", "S3RVER:S3RVER",
         // curl 7.88 signs without sending this header, which s3rver
         // requires of SigV4 requests.
         "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", endpoint + "/bench/" + curl_key});
    if (!curl.ok() || curl->exit_code != 0) {
      return std::fprintf(stderr, "curl failed: %s\n", curl.ok() ? curl->err.c_str() : ""), 1;
    }
    curl_s.push_back(curl->seconds);
    for (size_t t = 0; t < targets.size(); ++t) {
      const auto start = std::chrono::steady_clock::now();
      const arkwiki::Status put = targets[t]->Put(
          "arkwiki-copy-p" + std::to_string(settings[t]) + "-" + std::to_string(i), **source);
      ark_s[t].push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      if (!put.ok()) return std::fprintf(stderr, "%s\n", put.ToString().c_str()), 1;
    }
  }
  const double mb = static_cast<double>(mib << 20) / 1e6;
  const Counted c = CountFor(proxy, "curl-copy-0");
  std::printf("object: %llu MiB, part_size %llu MiB, %d alternating rounds (median)\n",
              static_cast<unsigned long long>(mib),
              static_cast<unsigned long long>(config.part_size >> 20), rounds);
  std::printf("curl -T                %7.2f s %8.1f MB/s  %4d requests %12llu body bytes\n",
              Median(curl_s), mb / Median(curl_s), c.requests,
              static_cast<unsigned long long>(c.body_bytes));
  for (size_t t = 0; t < targets.size(); ++t) {
    const Counted a = CountFor(proxy, "arkwiki-copy-p" + std::to_string(settings[t]) + "-0");
    const double secs = Median(ark_s[t]);
    std::printf(
        "S3 target parallel %2d %7.2f s %8.1f MB/s  %4d requests %12llu body bytes  %.2fx curl\n",
        settings[t], secs, mb / secs, a.requests, static_cast<unsigned long long>(a.body_bytes),
        secs / Median(curl_s));
  }
  std::printf("peak RSS of this process: %.1f MiB\n", PeakRssMiB());
  return 0;
}
