#include "bench_support.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "arkwiki/storage/storage.h"

namespace arkwiki::bench {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr size_t kUploadsPerBatch = 500;  // rows per SQLite transaction
constexpr size_t kUploadsPerPage = 1000;
const char kMarker[] = ".bench-set";

// splitmix64 seeds xoshiro256**: fast (GB/s), and a file depends only on
// (seed, kind, index), never on the order files were made in.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& w : s_) w = SplitMix(&seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Next() % (hi - lo + 1); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t* x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::array<uint64_t, 4> s_;
};

const std::array<const char*, 48> kWords = {
    "the",     "wiki",    "page",     "backup", "restore",
    "archive", "upload",  "server",   "user",   "admin",
    "editor",  "history", "revision", "link",   "table",
    "image",   "of",      "and",      "to",     "in",
    "is",      "for",     "with",     "on",     "data",
    "file",    "storage", "meeting",  "notes",  "project",
    "release", "plan",    "install",  "config", "network",
    "printer", "office",  "policy",   "budget", "report",
    "#",       "##",      "-",        "*",      "[link](/wiki/page)",
    "`code`",  "1.",      "|"};

// Compressible, Markdown-ish text (deflate level 1 takes it to about 35%).
void FillText(Rng* rng, std::string* out, size_t size) {
  out->clear();
  size_t words_on_line = 0;
  while (out->size() < size) {
    out->append(kWords[rng->Next() % kWords.size()]);
    if (++words_on_line >= 6 + rng->Next() % 10) {
      out->push_back('\n');
      words_on_line = 0;
    } else {
      out->push_back(' ');
    }
  }
  out->resize(size);
}

void FillRandom(Rng* rng, char* p, size_t n) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng->Next();
    std::memcpy(p + i, &v, 8);
  }
  for (size_t i = n & ~size_t{7}; i < n; ++i) p[i] = static_cast<char>(rng->Next());
}

struct FilePlan {
  std::string name;
  uint64_t size = 0;
  bool text = false;
  uint64_t stream = 0;  // Rng seed of this file's bytes
};

std::vector<FilePlan> PlanFiles(const SetSpec& spec) {
  std::vector<FilePlan> plan;
  Rng sizes(spec.seed * 1000003 + static_cast<uint64_t>(spec.kind));
  auto add = [&](const char* prefix, const char* ext, uint64_t size, bool text) {
    char name[64];
    std::snprintf(name, sizeof name, "%s-%06zu.%s", prefix, plan.size(), ext);
    plan.push_back({name, size, text, spec.seed * 0x100000001B3ull + plan.size()});
  };
  if (spec.kind == SetSpec::Kind::kTiny) {
    for (uint64_t i = 0; i < spec.tiny_files; ++i)
      add("note", "txt", sizes.Between(1024, 4096), true);
    return plan;
  }
  const uint64_t total = spec.total_mb * kMiB;
  for (uint64_t done = 0; done < total;) {
    uint64_t size = std::min(sizes.Between(kMiB, 16 * kMiB), total - done);
    add("media", "bin", size, false);
    done += size;
  }
  for (uint64_t i = 0; i < spec.small_files; ++i) {
    add("doc", "md", sizes.Between(1024, 64 * 1024), true);
  }
  return plan;
}

Status WriteUpload(Storage* storage, const FilePlan& f, int64_t page_id, std::vector<char>* buf,
                   std::string* text) {
  ARKWIKI_ASSIGN_OR_RETURN(auto pending, storage->uploads().Begin(f.size + 1));
  Rng rng(f.stream);
  if (f.text) {
    FillText(&rng, text, f.size);
    ARKWIKI_RETURN_IF_ERROR(pending->Append(*text));
  } else {
    for (uint64_t left = f.size; left > 0;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, buf->size()));
      FillRandom(&rng, buf->data(), n);
      ARKWIKI_RETURN_IF_ERROR(pending->Append(std::string_view(buf->data(), n)));
      left -= n;
    }
  }
  return storage->uploads()
      .Commit(std::move(pending), page_id, f.name, ContentTypeForName(f.name), "bench")
      .status();
}

Result<int64_t> MakePage(Storage* storage, size_t n) {
  SavePageRequest req;
  req.slug = "bench-" + std::to_string(n);
  req.title = "Benchmark page " + std::to_string(n);
  req.markdown = "# Benchmark page\n\nFiles for the backup benchmarks.\n";
  req.author = "bench";
  ARKWIKI_ASSIGN_OR_RETURN(Page page, storage->pages().Save(req));
  return page.id;
}

Status Generate(const SetSpec& spec, const std::string& data_dir, SetStats* stats) {
  NoSyncEnv env(Env::Default());
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(&env, data_dir));
  ARKWIKI_RETURN_IF_ERROR(
      storage->users().Create("bench", "bench-password", Role::kAdmin).status());
  const std::vector<FilePlan> plan = PlanFiles(spec);
  std::vector<char> buf(kMiB);
  std::string text;
  int64_t page_id = 0;
  for (size_t i = 0; i < plan.size(); i += kUploadsPerBatch) {
    if (i % kUploadsPerPage == 0) {
      ARKWIKI_ASSIGN_OR_RETURN(page_id, MakePage(storage.get(), i));
    }
    ARKWIKI_RETURN_IF_ERROR(storage->db().Transaction([&](Db&) -> Status {
      for (size_t j = i; j < std::min(plan.size(), i + kUploadsPerBatch); ++j) {
        ARKWIKI_RETURN_IF_ERROR(WriteUpload(storage.get(), plan[j], page_id, &buf, &text));
        stats->files += 1;
        stats->bytes += plan[j].size;
      }
      return Status::Ok();
    }));
  }
  ARKWIKI_RETURN_IF_ERROR(storage->db().Exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  storage.reset();
  ARKWIKI_RETURN_IF_ERROR(SyncFileSystemOf(data_dir));  // on disk before anything is timed
  std::ostringstream marker;
  marker << spec.Name() << " " << stats->files << " " << stats->bytes << "\n";
  return WriteFileAtomically(Env::Default(), JoinPath(data_dir, kMarker), marker.str());
}

}  // namespace

namespace {

class NoSyncFile final : public WritableFile {
 public:
  explicit NoSyncFile(std::unique_ptr<WritableFile> f) : f_(std::move(f)) {}
  Status Append(std::string_view d) override { return f_->Append(d); }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return f_->Close(); }

 private:
  std::unique_ptr<WritableFile> f_;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> NoSyncEnv::NewWritableFile(const std::string& p,
                                                                 CreateMode m) {
  ARKWIKI_ASSIGN_OR_RETURN(auto f, target()->NewWritableFile(p, m));
  return std::unique_ptr<WritableFile>(new NoSyncFile(std::move(f)));
}

Status SyncFileSystemOf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path);
  int rc = ::syncfs(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : Status::IoError("syncfs failed on " + path);
}

std::string SetSpec::Name() const {
  if (kind == Kind::kTiny) {
    return "tiny-" + std::to_string(tiny_files) + "f-seed" + std::to_string(seed);
  }
  return "mixed-" + std::to_string(total_mb) + "mb-" + std::to_string(small_files) + "s-seed" +
         std::to_string(seed);
}

bool ParseKind(const std::string& name, SetSpec* spec) {
  if (name == "mixed")
    spec->kind = SetSpec::Kind::kMixed;
  else if (name == "tiny")
    spec->kind = SetSpec::Kind::kTiny;
  else
    return false;
  return true;
}

Result<SetStats> ReadSetStats(const std::string& data_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string text,
                           ReadFileToString(Env::Default(), JoinPath(data_dir, kMarker), 4096));
  std::istringstream in(text);
  std::string name;
  SetStats stats;
  if (!(in >> name >> stats.files >> stats.bytes)) {
    return Status::Corruption(JoinPath(data_dir, kMarker) + " is malformed");
  }
  return stats;
}

Result<SetStats> EnsureSet(const SetSpec& spec, const std::string& data_dir) {
  Env* env = Env::Default();
  auto marker = ReadFileToString(env, JoinPath(data_dir, kMarker), 4096);
  if (marker.ok() && marker->rfind(spec.Name() + " ", 0) == 0) return ReadSetStats(data_dir);
  ARKWIKI_RETURN_IF_ERROR(env->RemoveTree(data_dir));  // stale or partial set
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(data_dir));
  SetStats stats;
  Status s = Generate(spec, data_dir, &stats);
  if (!s.ok()) return s.WithContext("generating upload set " + spec.Name());
  return stats;
}

uint64_t PeakRssBytes(pid_t pid) {
  std::string path = pid == 0 ? "/proc/self/status" : "/proc/" + std::to_string(pid) + "/status";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}

bool ResetPeakRss(pid_t pid) {
  // Give freed heap back first: otherwise what an earlier benchmark in this
  // process freed but glibc kept would count as this one's baseline.
  if (pid == 0) ::malloc_trim(0);
  std::string path =
      pid == 0 ? "/proc/self/clear_refs" : "/proc/" + std::to_string(pid) + "/clear_refs";
  std::ofstream out(path);
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::string BenchDir() {
  const char* d = std::getenv("ARKWIKI_BENCH_DIR");
  return d != nullptr && *d != '\0' ? d : "./bench-data";
}

std::vector<uint64_t> EnvList(const char* name, std::vector<uint64_t> fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  std::vector<uint64_t> out;
  std::stringstream in(v);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(std::strtoull(item.c_str(), nullptr, 10));
  }
  return out.empty() ? fallback : out;
}

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  return EnvList(name, {fallback}).front();
}

SetSpec MixedSpec(uint64_t total_mb) {
  SetSpec s;
  s.kind = SetSpec::Kind::kMixed;
  s.total_mb = total_mb;
  s.small_files = EnvNumber("ARKWIKI_BENCH_SMALL_FILES", std::min<uint64_t>(3000, 3 * total_mb));
  s.seed = EnvNumber("ARKWIKI_BENCH_SEED", 1);
  return s;
}

SetSpec TinySpec(uint64_t files) {
  SetSpec s;
  s.kind = SetSpec::Kind::kTiny;
  s.tiny_files = files;
  s.seed = EnvNumber("ARKWIKI_BENCH_SEED", 1);
  return s;
}

Result<std::string> SetDirFor(const SetSpec& spec, SetStats* stats) {
  std::string dir = JoinPath(JoinPath(BenchDir(), "sets"), spec.Name());
  ARKWIKI_ASSIGN_OR_RETURN(*stats, EnsureSet(spec, dir));
  return dir;
}

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void CheckOk(const Status& s, const std::string& what) {
  if (s.ok()) return;
  std::fprintf(stderr, "benchmark failed: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

}  // namespace arkwiki::bench
