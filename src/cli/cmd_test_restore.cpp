// arkwiki backup test-restore FILE [--scratch DIR] [--sample N] [--keep] [--json]
//
// Proves a backup restores, in one command:
//   1. restores FILE into a scratch data directory with the same machinery
//      as `backup restore` (verify, stage, migrate, commit);
//   2. starts `arkwiki serve` on it (this binary, as a child, on port 0,
//      through arkwiki/process/child_process.h);
//   3. checks through HTTP that the counts the server shows match the
//      manifest (live pages, users; revisions and uploads from the
//      restored database, since the API shows no trashed page's), that a
//      sample of pages render (GET /wiki/<slug> -> 200) and that a sample
//      of upload files come back with their SHA-256;
//   4. reports, stops the server and removes the scratch directory.
// The live wiki is never touched. To read private pages the check adds an
// API token for the first enabled admin to the scratch copy only.
// Exit: 0 all checks passed; 1 a check failed; 2 usage; 3 the archive was
// rejected; 4 environment (no space, permission, I/O).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "args.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/url.h"
#include "arkwiki/process/child_process.h"
#include "arkwiki/process/http_client.h"
#include "arkwiki/storage/storage.h"
#include "commands.h"
#include "preflight.h"
#include "progress.h"

namespace arkwiki::cli {
namespace {

const char kTestRestoreHelp[] =
    "usage: arkwiki backup test-restore FILE [--scratch DIR] [--sample N] [--keep] [--json]\n"
    "                                   [--quiet] [--progress=WHEN]\n"
    "\n"
    "Restores FILE into a scratch directory (default: a new one under $TMPDIR),\n"
    "serves it on a free loopback port, checks that the counts match the\n"
    "manifest and that N sample pages (default 50) render and their uploads\n"
    "come back intact, then cleans up. The live wiki is not touched.\n"
    "--progress=WHEN  never, auto (a bar on a terminal, otherwise a phase line\n"
    "                 at most every 5 s; the default) or always (a bar)\n"
    "--quiet          print nothing on success\n"
    "Exit code 1 also means that a check failed.\n";

struct Report {
  std::vector<std::string> problems;
  std::vector<std::string> lines;
  double restore_seconds = 0;
  double start_seconds = 0;
  void Check(bool ok, const std::string& what) { (ok ? lines : problems).push_back(what); }
};

std::string Num(int64_t v) { return std::to_string(v); }

// GET `path` with the check token; a transport failure is status -1.
process::HttpReply Get(int port, const std::string& token, const std::string& path) {
  return process::HttpClient(port, token).Request("GET", path);
}

Poco::JSON::Array::Ptr JsonList(const process::HttpReply& r, const std::string& key) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(r.body).extract<Poco::JSON::Object::Ptr>()->getArray(key);
  } catch (const Poco::Exception&) {
    return nullptr;
  }
}

// Restores into scratch/data; returns the manifest and the counts of the
// restored database (measured before the check token is added).
Result<std::pair<Manifest, ManifestCounts>> RestoreIntoScratch(const std::string& archive,
                                                               const DataDirLayout& layout,
                                                               ProgressReporter* progress) {
  Env* env = Env::Default();
  ARKWIKI_RETURN_IF_ERROR(PrepareDataDir(env, layout));
  // Start from an empty wiki, as a fresh install has: Commit first writes a
  // safety backup of the current data, and with no database at all that
  // step fails.
  ARKWIKI_RETURN_IF_ERROR(Storage::Open(env, layout.root).status());
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, DataDirLock::Acquire(layout, "arkwiki backup test-restore"));
  Restorer restorer(env, layout);
  ARKWIKI_RETURN_IF_ERROR(restorer.Recover());
  ImportOptions options;
  options.actor = "test-restore";
  options.progress = [progress](const std::string& phase, uint64_t done, uint64_t total) {
    progress->Update(phase, done, total);
  };
  ARKWIKI_ASSIGN_OR_RETURN(StagedImport staged, restorer.Stage(archive, options));
  ARKWIKI_RETURN_IF_ERROR(restorer.Commit(staged, options, CommitHooks{}).status());
  ARKWIKI_ASSIGN_OR_RETURN(ManifestCounts counts, CountLiveData(env, layout));
  return std::make_pair(staged.report.manifest, counts);
}

// An API token for the first enabled admin of the scratch copy.
Result<std::string> CheckToken(const std::string& data) {
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), data));
  ARKWIKI_ASSIGN_OR_RETURN(auto users, storage->users().List());
  for (const User& u : users) {
    if (u.role == Role::kAdmin && !u.disabled) {
      return storage->users().CreateApiToken(u.id, "backup test-restore");
    }
  }
  return Status::NotFound("the backup has no enabled admin, so private pages cannot be checked");
}

void CheckCounts(int port, const std::string& token, const Manifest& m,
                 const ManifestCounts& restored, Report* r) {
  auto pages = JsonList(Get(port, token, "/api/pages"), "pages");
  auto users = JsonList(Get(port, token, "/api/users"), "users");
  const int64_t served_pages = pages ? static_cast<int64_t>(pages->size()) : -1;
  const int64_t served_users = users ? static_cast<int64_t>(users->size()) : -1;
  r->Check(served_pages == m.counts.pages,
           "pages: manifest " + Num(m.counts.pages) + ", served " + Num(served_pages));
  r->Check(served_users == m.counts.users,
           "users: manifest " + Num(m.counts.users) + ", served " + Num(served_users));
  r->Check(
      restored.revisions == m.counts.revisions,
      "revisions: manifest " + Num(m.counts.revisions) + ", restored " + Num(restored.revisions));
  r->Check(restored.uploads == m.counts.uploads,
           "uploads: manifest " + Num(m.counts.uploads) + ", restored " + Num(restored.uploads));
}

// Renders every k-th page and fetches its uploads.
void CheckSample(int port, const std::string& token, int sample, Report* r) {
  auto pages = JsonList(Get(port, token, "/api/pages"), "pages");
  if (!pages) return r->Check(false, "GET /api/pages did not answer a page list");
  const size_t n = pages->size(), step = std::max<size_t>(1, n / std::max(1, sample));
  int rendered = 0, tried = 0, files_ok = 0, files = 0;
  for (size_t i = 0; i < n && tried < sample; i += step, ++tried) {
    const auto slug = pages->getObject(static_cast<unsigned>(i))->getValue<std::string>("slug");
    process::HttpReply page = Get(port, token, "/wiki/" + UrlEncodeComponent(slug));
    if (page.status == 200)
      ++rendered;
    else
      r->problems.push_back("/wiki/" + slug + " answered " + Num(page.status));
    auto uploads = JsonList(Get(port, token, "/api/pages/" + UrlEncodeComponent(slug) + "/uploads"),
                            "uploads");
    for (size_t u = 0; uploads && u < uploads->size() && u < 5; ++u, ++files) {
      auto o = uploads->getObject(static_cast<unsigned>(u));
      process::HttpReply file = Get(port, token, o->getValue<std::string>("url"));
      if (file.status == 200 && Sha256Hex(file.body) == o->getValue<std::string>("sha256")) {
        ++files_ok;
      } else {
        r->problems.push_back(o->getValue<std::string>("url") + " is missing or damaged");
      }
    }
  }
  r->Check(rendered == tried,
           "pages rendered: " + Num(rendered) + " of " + Num(tried) + " sampled");
  r->Check(files_ok == files,
           "upload files intact: " + Num(files_ok) + " of " + Num(files) + " sampled");
}

void Print(const Report& r, const std::string& archive, const Manifest& m, bool json) {
  const bool ok = r.problems.empty();
  if (json) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    Poco::JSON::Array::Ptr checks = new Poco::JSON::Array, problems = new Poco::JSON::Array;
    for (const auto& l : r.lines) checks->add(l);
    for (const auto& p : r.problems) problems->add(p);
    o->set("archive", archive);
    o->set("ok", ok);
    o->set("created_at", m.created_at);
    o->set("schema_version", m.schema_version);
    o->set("restore_seconds", r.restore_seconds);
    o->set("server_start_seconds", r.start_seconds);
    o->set("checks", checks);
    o->set("problems", problems);
    Poco::JSON::Stringifier::stringify(o, std::cout, 2);
    std::cout << "\n";
    return;
  }
  std::printf("test-restore %s (created %s, schema %d): restored in %.2f s, served in %.2f s\n",
              archive.c_str(), m.created_at.c_str(), m.schema_version, r.restore_seconds,
              r.start_seconds);
  for (const auto& l : r.lines) std::printf("  ok    %s\n", l.c_str());
  for (const auto& p : r.problems) std::printf("  FAIL  %s\n", p.c_str());
  std::printf("%s\n", ok ? "OK: the backup restores and serves" : "FAILED");
}

int RunChecks(const std::string& archive, const std::string& scratch, int sample,
              const Args& args) {
  const DataDirLayout layout(scratch + "/data");
  Report report;
  auto start = std::chrono::steady_clock::now();
  auto mode = ParseProgressMode(args.Get("progress").value_or("auto"));
  ProgressReporter progress(mode.ok() ? *mode : ProgressMode::kAuto, args.Has("quiet"),
                            ::isatty(2) == 1);
  auto restored = RestoreIntoScratch(archive, layout, &progress);
  progress.Finish();
  if (!restored.ok()) {
    // The exit codes of `backup restore`: a refused archive is 3, not 2.
    (void)ReportError(restored.status());
    return ArchiveExitCode(restored.status());
  }
  auto seconds_since = [](auto t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  report.restore_seconds = seconds_since(start);
  auto token = CheckToken(layout.root);
  if (!token.ok()) return ReportError(token.status());
  start = std::chrono::steady_clock::now();
  // This binary, as a child, so the check serves with the same build.
  auto server =
      process::ServerProcess::Start("/proc/self/exe", layout.root, scratch + "/server.log");
  if (!server.ok()) return ReportError(server.status());
  report.start_seconds = seconds_since(start);
  CheckCounts((*server)->port(), *token, restored->first, restored->second, &report);
  CheckSample((*server)->port(), *token, sample, &report);
  const bool ok = report.problems.empty();
  if (!ok || !args.Has("quiet")) Print(report, archive, restored->first, args.Has("json"));
  return ok ? kExitOk : kExitFailure;
}

}  // namespace

int CmdTestRestore(const Argv& argv) {
  auto args = ParseArgs(argv, {{"scratch", "sample", "progress"}, {"keep", "json", "quiet"}});
  if (!args.ok()) return UsageError(args.status().message(), kTestRestoreHelp);
  if (args->Has("help")) {
    std::fputs(kTestRestoreHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return kExitOk;
  }
  if (args->positional.size() != 1)
    return UsageError("test-restore takes one FILE", kTestRestoreHelp);
  if (auto mode = ParseProgressMode(args->Get("progress").value_or("auto")); !mode.ok()) {
    return UsageError(mode.status().message(), kTestRestoreHelp);
  }
  const std::string sample_text = args->Get("sample").value_or("50");
  char* sample_end = nullptr;
  const long sample = std::strtol(sample_text.c_str(), &sample_end, 10);
  if (sample_text.empty() || sample_text[0] < '0' || sample_text[0] > '9' || *sample_end != '\0' ||
      sample < 1 || sample > 1000000) {
    return UsageError("--sample takes a count of pages from 1 to 1000000", kTestRestoreHelp);
  }
  Env* env = Env::Default();
  std::string scratch = args->Get("scratch").value_or("");
  if (scratch.empty()) {
    scratch = TempDir() + "/arkwiki-test-restore-" + RandomHex(6);
  }
  auto exists = env->FileExists(scratch + "/data");
  if (exists.ok() && *exists) {
    return ReportError(Status::AlreadyExists(scratch + "/data exists; give an empty --scratch"));
  }
  if (Status s = CheckWritableDir(scratch, "the scratch directory"); !s.ok()) {
    return ReportError(s);
  }
  if (Status s = env->CreateDirs(scratch); !s.ok()) return ReportError(s);
  const int code = RunChecks(args->positional[0], scratch, static_cast<int>(sample), *args);
  if (args->Has("keep")) {
    std::fprintf(stderr, "scratch directory kept: %s\n", scratch.c_str());
  } else if (Status s = env->RemoveTree(scratch); !s.ok()) {
    std::fprintf(stderr, "arkwiki: warning: could not remove %s: %s\n", scratch.c_str(),
                 s.message().c_str());
  }
  return code;
}

}  // namespace arkwiki::cli
