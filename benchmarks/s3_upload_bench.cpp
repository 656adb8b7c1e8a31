// The first upload to a local s3rver: the S3 target's Put against `curl -T`
// sending the same bytes (one signed PUT per file, over one connection). A
// counting proxy in front of s3rver gives the requests and the body bytes
// of each. Prints seconds, MB/s, the ratio to curl and this process's peak
// RSS.
//
// The target is given each object's SHA-256 (PutHashed), as the copy
// engine does after hashing its spool file while writing it; that hash is
// computed before the timed rounds.
//
//   ARKWIKI_BENCH_S3_MB   size of the object (default 128)
//   ARKWIKI_BENCH_S3_FILES  instead of one object: this many files of 1 to
//                         16 MiB of random bytes (as in the mixed upload set)
//   ARKWIKI_BENCH_ROUNDS  paired rounds, curl then arkwiki (default 3)
//   ARKWIKI_BENCH_S3_PART_MB  the target's part_size (default 8)
//   ARKWIKI_BENCH_S3_THRESHOLD_MB  the target's multipart_threshold
//                         (default: the target's default); an object above
//                         it goes up in parts
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
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "arkwiki/backup/s3_target.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
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

struct BenchFile {
  std::string name;
  std::string path;
  uint64_t mib = 0;
  std::string sha256;
};

// One file of `mib` MiB, or ARKWIKI_BENCH_S3_FILES files of 1 to 16 MiB.
std::vector<BenchFile> WriteFiles(const arkwiki::testing::TempDir& work, uint64_t mib) {
  const uint64_t count = EnvOr("ARKWIKI_BENCH_S3_FILES", 0);
  std::vector<BenchFile> files;
  for (uint64_t i = 0; i < std::max<uint64_t>(count, 1); ++i) {
    BenchFile f;
    f.name = "f" + std::to_string(i) + ".bin";
    f.path = work.Sub(f.name);
    f.mib = count == 0 ? mib : 1 + (i * 7919) % 16;
    if (!WriteRandomFile(f.path, f.mib)) return {};
    auto digest = arkwiki::Sha256File(arkwiki::Env::Default(), f.path);
    if (!digest.ok()) return {};
    f.sha256 = digest->sha256;
    files.push_back(std::move(f));
  }
  return files;
}

std::vector<std::string> CurlArgs(const std::vector<BenchFile>& files, const std::string& url) {
  std::string upload = files.size() == 1 ? files[0].path : "{";
  if (files.size() > 1) {
    for (const BenchFile& f : files) upload += (upload.size() > 1 ? "," : "") + f.path;
    upload += "}";
  }
  return {"-sS", "-f", "-o", "/dev/null", "-T", upload, "--aws-sigv4", "aws:amz:us-east-1:s3",
          "--user", "S3RVER:S3RVER",
          // curl 7.88 signs without sending this header, which s3rver
          // requires of SigV4 requests.
          "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url};
}

// Puts every file under `prefix`; the seconds it took, or -1 on failure.
double PutAll(arkwiki::OffsiteTarget* target, const std::vector<BenchFile>& files,
              const std::string& prefix) {
  const auto start = std::chrono::steady_clock::now();
  for (const BenchFile& f : files) {
    auto source = arkwiki::Env::Default()->NewRandomAccessFile(f.path);
    arkwiki::Status put = source.status();
    if (put.ok()) put = target->PutHashed(prefix + f.name, **source, f.sha256);
    if (!put.ok()) return std::fprintf(stderr, "%s\n", put.ToString().c_str()), -1;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Run() {
  const uint64_t mib = EnvOr("ARKWIKI_BENCH_S3_MB", 128);
  const int rounds = static_cast<int>(EnvOr("ARKWIKI_BENCH_ROUNDS", 3));
  arkwiki::testing::TempDir work;
  const std::vector<BenchFile> files = WriteFiles(work, mib);
  if (files.empty()) return std::fprintf(stderr, "cannot write the files\n"), 1;
  uint64_t total_mib = 0;
  for (const BenchFile& f : files) total_mib += f.mib;
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
  config.multipart_threshold =
      EnvOr("ARKWIKI_BENCH_S3_THRESHOLD_MB", config.multipart_threshold >> 20) << 20;
  const std::vector<int> settings = ParallelSettings();
  std::vector<std::unique_ptr<arkwiki::OffsiteTarget>> targets;
  for (int parallel : settings) {
    config.parallel_parts = parallel;
    auto target = arkwiki::OpenS3Target(config);
    if (!target.ok()) return std::fprintf(stderr, "%s\n", target.status().ToString().c_str()), 1;
    targets.push_back(std::move(target).value());
  }

  std::vector<double> curl_s;
  std::vector<std::vector<double>> ark_s(settings.size());
  for (int i = 0; i < rounds; ++i) {
    const std::string curl_key = "curl-copy-" + std::to_string(i);
    const std::string url = endpoint + "/bench/" + (files.size() == 1 ? curl_key : curl_key + "/");
    auto curl = arkwiki::process::RunProcess("/usr/bin/curl", CurlArgs(files, url));
    if (!curl.ok() || curl->exit_code != 0) {
      return std::fprintf(stderr, "curl failed: %s\n", curl.ok() ? curl->err.c_str() : ""), 1;
    }
    curl_s.push_back(curl->seconds);
    for (size_t t = 0; t < targets.size(); ++t) {
      const double secs =
          PutAll(targets[t].get(), files,
                 "arkwiki-copy-p" + std::to_string(settings[t]) + "-" + std::to_string(i) + "/");
      if (secs < 0) return 1;
      ark_s[t].push_back(secs);
    }
  }
  const double mb = static_cast<double>(total_mib << 20) / 1e6;
  const Counted c = CountFor(proxy, "curl-copy-0");
  std::printf(
      "%zu object(s), %llu MiB, part_size %llu MiB, multipart_threshold %llu MiB, "
      "%d alternating rounds (median)\n",
      files.size(), static_cast<unsigned long long>(total_mib),
      static_cast<unsigned long long>(config.part_size >> 20),
      static_cast<unsigned long long>(config.multipart_threshold >> 20), rounds);
  std::printf("curl -T                %7.2f s %8.1f MB/s  %4d requests %12llu body bytes\n",
              Median(curl_s), mb / Median(curl_s), c.requests,
              static_cast<unsigned long long>(c.body_bytes));
  for (size_t t = 0; t < targets.size(); ++t) {
    const Counted a = CountFor(proxy, "arkwiki-copy-p" + std::to_string(settings[t]) + "-0/");
    const double secs = Median(ark_s[t]);
    std::printf(
        "S3 target parallel %2d %7.2f s %8.1f MB/s  %4d requests %12llu body bytes  %.2fx curl\n",
        settings[t], secs, mb / secs, a.requests, static_cast<unsigned long long>(a.body_bytes),
        secs / Median(curl_s));
  }
  std::printf("peak RSS of this process: %.1f MiB\n", PeakRssMiB());
  return 0;
}

}  // namespace

int main() {
  try {
    return Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "s3_upload_bench: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "s3_upload_bench: unknown exception\n");
  }
  return 1;
}
