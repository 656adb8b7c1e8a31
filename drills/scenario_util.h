// Building blocks shared by the scenarios.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "drill_context.h"

// In a scenario (a void function with a Verdict* v): fail the verdict with
// "setup: ..." and return when a setup step fails.
#define DRILL_CONCAT_INNER(a, b) a##b
#define DRILL_CONCAT(a, b) DRILL_CONCAT_INNER(a, b)
#define DRILL_ASSIGN(lhs, expr) DRILL_ASSIGN_IMPL(DRILL_CONCAT(_drill_r, __LINE__), lhs, expr)
#define DRILL_ASSIGN_IMPL(tmp, lhs, expr)         \
  auto tmp = (expr);                              \
  if (!tmp.ok()) {                                \
    v->Fail("setup: " + tmp.status().ToString()); \
    return;                                       \
  }                                               \
  lhs = std::move(tmp).value()
#define DRILL_CHECK(expr)                       \
  do {                                          \
    ::arkwiki::Status _drill_s = (expr);        \
    if (!_drill_s.ok()) {                       \
      v->Fail("setup: " + _drill_s.ToString()); \
      return;                                   \
    }                                           \
  } while (0)

namespace arkwiki::drill {

using ServerPtr = std::unique_ptr<process::ServerProcess>;

// A scenario's starting point: a copy of the golden data in a new
// directory, served, with a backup taken through the CLI while it serves.
struct Prepared {
  std::string dir;      // the scenario's scratch directory
  std::string data;     // dir/data
  std::string archive;  // dir/backup.zip
  ServerPtr server;
};
Result<Prepared> PrepareWithBackup(DrillContext& ctx, const Golden& g, const std::string& name);

// Restores `archive` into `data` along `path` and diffs the result with
// `expected`, filling the verdict (restore time, downtime, data lost).
//   cli:  stops `server` if it runs (downtime counts from then, or from
//         `down_since_ms` if earlier), runs `arkwiki backup restore`,
//         serves again and diffs.
//   http: `server` must serve `data` and `token` be an admin token there;
//         POST /api/restore, then diffs through the same server.
void RestoreAndCheck(DrillContext& ctx, const fixture::Fingerprint& expected,
                     const std::string& path, const std::string& data, const std::string& archive,
                     ServerPtr& server, const std::string& token, double down_since_ms, Verdict* v);

// For the http path on damaged data: serves `data` if the server starts
// (token: the golden admin's); otherwise moves it aside to data.damaged,
// makes a fresh install there and serves that (token: its bootstrap admin).
Status ServeOrFreshInstall(DrillContext& ctx, const Golden& g, const std::string& data,
                           ServerPtr* server, std::string* token, Verdict* v);

// Changes the served wiki (a new page, an edit, an upload) and returns the
// fingerprint of the changed state (same tokens).
Result<fixture::Fingerprint> MakeChanges(DrillContext& ctx, int port,
                                         const fixture::Fingerprint& g);

// File damage. Deterministic: offsets derive from the file size.
Status OverwriteBytes(const std::string& path, uint64_t offset, size_t count, uint64_t seed);
Status FlipBit(const std::string& path, uint64_t offset);
Status TruncateTo(const std::string& path, double fraction);
Result<uint64_t> FileSize(const std::string& path);
// Total bytes of regular files under `dir`.
uint64_t TreeBytes(const std::string& dir);

// A tmpfs mounted at `dir` (created) of `bytes`, unmounted on destruction.
class TmpfsMount {
 public:
  static Result<std::unique_ptr<TmpfsMount>> Mount(const std::string& dir, uint64_t bytes);
  ~TmpfsMount();
  const std::string& dir() const { return dir_; }

 private:
  explicit TmpfsMount(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// True if `text` mentions running out of space.
bool MentionsNoSpace(const std::string& text);

}  // namespace arkwiki::drill
